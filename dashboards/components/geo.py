"""Boundaries on the map: the cached, simplified GeoJSON the pipelines build
(`pipelines.indicators.boundaries`) for districts and, in a province or the country, for
prefectures, served to the browser as static, cacheable files; and the map's centre and zoom."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

import shapely
from shapely.geometry import shape

from pipelines.indicators.boundaries import boundaries_path
from pipelines.settings import Settings

# URL name → map level (pipelines.indicators.boundaries.LEVELS).
BOUNDARY_LEVELS = {"boundaries": "district", "prefectures": "prefecture"}


def boundaries_url(level: str) -> str:
    return next(f"/geo/{name}.geojson" for name, lv in BOUNDARY_LEVELS.items() if lv == level)


@cache
def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def centre_and_zoom(
    settings: Settings, district: str | None = None, codes: frozenset[str] | None = None
) -> tuple[dict, float]:
    """Map centre and a zoom that fits the jurisdiction, one of its districts, or the
    districts `codes` (a prefecture's)."""
    if district is not None:
        codes = frozenset({district})
    return _centre_and_zoom(boundaries_path(settings), codes)


@cache
def _centre_and_zoom(path: Path, codes: frozenset[str] | None = None) -> tuple[dict, float]:
    data = _load(path)
    geoms = [shape(f["geometry"]) for f in data["features"] if codes is None or f["id"] in codes]
    # The bounding box of all shapes (no topology: rounded national shapes need not be valid).
    bounds = shapely.bounds(geoms)
    minx, miny = bounds[:, 0].min(), bounds[:, 1].min()
    maxx, maxy = bounds[:, 2].max(), bounds[:, 3].max()
    span = max(maxx - minx, (maxy - miny) * 1.4, 0.1)
    zoom = math.log2(360 / span) - 0.7  # a web-mercator zoom that fits about 500 px
    return {"lon": (minx + maxx) / 2, "lat": (miny + maxy) / 2}, max(2.0, min(zoom, 10.0))
