"""User-facing text, Chinese (default) and English, in one catalogue."""

from __future__ import annotations

from flask import has_request_context, request

from dashboards.i18n.catalogue import TEXT

DEFAULT_LANGUAGE = "zh"


LANGUAGES = ("zh", "en")
# The language a user chose (on the login page or in the header), kept in a cookie so every
# page is built in it on the server, the login page included.
LANG_COOKIE = "rehab_lang"


def request_lang() -> str:
    """The language of the request being served (Chinese outside a request)."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    lang = request.cookies.get(LANG_COOKIE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The text for `key` in `lang` (default: the request's language), with placeholders
    filled. A key missing from the catalogue raises KeyError (tests walk every page)."""
    if lang not in LANGUAGES:
        lang = request_lang()
    entry = TEXT[key]
    text = entry.get(lang) or entry["zh"]
    return text.format(**values) if values else text


def name(record: dict, lang: str) -> str:
    """A reference record's name (programme, indicator) in `lang`."""
    return record.get(f"name_{lang}") or record["name_zh"]


def page_title(key: str):
    """A page's browser title in the request's language (Dash calls it per page view)."""

    def title(**_kwargs) -> str:
        return f"{t(key)} · {t('app.title')}"

    return title
