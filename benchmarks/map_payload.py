"""Map payload: the district boundaries the browser downloads, for a city, a province and
the whole country.

    .venv/bin/python benchmarks/map_payload.py

For 211200 (铁岭市, 7 districts), 210000 (辽宁省, about 100) and 100000 (全国, about 2,875)
builds the simplified boundaries asset (`pipelines/indicators/boundaries.py`: shapely's coverage
simplification, which keeps shared edges shared, so neighbours have no gaps) and reports its
size as served and gzip-compressed, the build time, and the overview callback's own payload
(the figure references the asset by URL, so it carries only the values). Goal: ≤ 3 MB for the
country.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from pipelines.indicators.boundaries import boundaries_path, gzip_path
from pipelines.settings import load_settings

JURISDICTIONS = {"211200": "铁岭市", "210000": "辽宁省", "100000": "全国"}


def main() -> None:
    print("| jurisdiction | districts | asset MB | served gzip MB | build s |")
    print("|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for code, name in JURISDICTIONS.items():
            settings = load_settings(Path(tmp) / code, jurisdiction=code)
            t0 = time.perf_counter()
            path = boundaries_path(settings)
            seconds = time.perf_counter() - t0
            raw = path.read_bytes()
            served = gzip_path(path).stat().st_size
            import json

            features = len(json.loads(raw)["features"])
            print(f"| {name} ({code}) | {features:,} | {len(raw) / 1e6:.2f} | "
                  f"{served / 1e6:.2f} | {seconds:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
