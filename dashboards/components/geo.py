"""District boundaries on the map: the cached, simplified GeoJSON the pipelines build
(`pipelines.indicators.boundaries`), served to the browser as a static, cacheable file, and
the map's centre and zoom."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

import shapely
from shapely.geometry import shape

from pipelines.indicators.boundaries import boundaries_path
from pipelines.settings import Settings

BOUNDARIES_URL = "/geo/boundaries.geojson"


def boundaries(settings: Settings) -> dict:
    return _load(boundaries_path(settings))


@cache
def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def centre_and_zoom(settings: Settings, district: str | None = None) -> tuple[dict, float]:
    """Map centre and a zoom that fits the jurisdiction (or one of its districts)."""
    return _centre_and_zoom(boundaries_path(settings), district)


@cache
def _centre_and_zoom(path: Path, district: str | None = None) -> tuple[dict, float]:
    data = _load(path)
    geoms = [shape(f["geometry"]) for f in data["features"] if district in (None, f["id"])]
    # The bounding box of all shapes (no topology: rounded national shapes need not be valid).
    bounds = shapely.bounds(geoms)
    minx, miny = bounds[:, 0].min(), bounds[:, 1].min()
    maxx, maxy = bounds[:, 2].max(), bounds[:, 3].max()
    span = max(maxx - minx, (maxy - miny) * 1.4, 0.1)
    zoom = math.log2(360 / span) - 0.7  # a web-mercator zoom that fits about 500 px
    return {"lon": (minx + maxx) / 2, "lat": (miny + maxy) / 2}, max(2.0, min(zoom, 10.0))
