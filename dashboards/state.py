"""Values the browser sends that pages share."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlencode


def parse_date(value: str | None) -> date | None:
    """A date sent by the browser (YYYY-MM-DD, possibly with a time), or None."""
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def view_query(programme: str | None, year: int | None, as_of: str | None) -> str:
    """The header's choice as a URL query string (?programme=…&year=…&as_of=…), so a copied
    link opens the same view (the server still applies the reader's own scope)."""
    values = {"programme": programme, "year": year, "as_of": (as_of or "")[:10] or None}
    return "?" + urlencode({k: v for k, v in values.items() if v not in (None, "")})


def parse_view(search: str | None) -> dict:
    """programme, year (int) and as_of (date) from a URL query string; a value that cannot be
    read is left out (the header keeps its own)."""
    query = parse_qs((search or "").lstrip("?"))
    out: dict = {}
    if query.get("programme"):
        out["programme"] = query["programme"][0]
    if query.get("year") and query["year"][0].isdigit():
        out["year"] = int(query["year"][0])
    if query.get("as_of") and (day := parse_date(query["as_of"][0])):
        out["as_of"] = day
    return out
