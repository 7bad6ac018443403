"""The settings the running app was created with (set once by create_app)."""

from __future__ import annotations

from datetime import date

from pipelines.settings import Settings, load_settings

_settings: Settings | None = None


def set_settings(settings: Settings) -> None:
    global _settings
    _settings = settings


def current_settings() -> Settings:
    return _settings or load_settings()


def parse_date(value: str | None) -> date | None:
    """A date sent by the browser (YYYY-MM-DD, possibly with a time), or None."""
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
