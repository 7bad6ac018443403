"""Values the browser sends that pages share."""

from __future__ import annotations

from datetime import date


def parse_date(value: str | None) -> date | None:
    """A date sent by the browser (YYYY-MM-DD, possibly with a time), or None."""
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
