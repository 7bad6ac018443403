"""User-facing text, Chinese (default) and English, in one catalogue."""

from __future__ import annotations

from dashboards.i18n.catalogue import TEXT

DEFAULT_LANGUAGE = "zh"


def t(key: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The text for `key` in `lang` (Chinese when missing)."""
    entry = TEXT[key]
    return entry.get(lang) or entry["zh"]
