"""The settings the running app was created with (set once by create_app)."""

from __future__ import annotations

from pipelines.settings import Settings, load_settings

_settings: Settings | None = None


def set_settings(settings: Settings) -> None:
    global _settings
    _settings = settings


def current_settings() -> Settings:
    return _settings or load_settings()
