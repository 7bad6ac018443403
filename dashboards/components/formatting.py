"""How numbers and statuses are written on screen: the pipelines' one definition, with the
screen's language."""

from __future__ import annotations

from pipelines.outputs.formatting import (
    STATUS_COLOURS,
    STATUS_ORDER,
    gap_text,
    status_name,
    value_text,
)

__all__ = ["STATUS_COLOURS", "STATUS_ORDER", "gap_text", "status_text", "value_text"]


def status_text(status: str, lang: str) -> str:
    return status_name(status, lang)
