"""User-facing text, Chinese (default) and English, in one catalogue."""

from __future__ import annotations

from dashboards.i18n.catalogue import TEXT

DEFAULT_LANGUAGE = "zh"


LANGUAGES = ("zh", "en")


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text for `key` in `lang` (Chinese when missing), with placeholders filled."""
    entry = TEXT[key]
    text = entry.get(lang) or entry["zh"]
    return text.format(**values) if values else text


def name(record: dict, lang: str) -> str:
    """A reference record's name (programme, indicator) in `lang`."""
    return record.get(f"name_{lang}") or record["name_zh"]
