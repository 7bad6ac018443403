"""Dash callback latency (p50/p95) through the real HTTP endpoint, and map payload size.

    .venv/bin/python benchmarks/callbacks.py --data-dir DIR [--jurisdiction 210000] [--requests 20]

DIR must hold a published snapshot (e.g. the one benchmarks/marts.py --keep DIR leaves in
DIR/data, or `make run`'s ./data). Each callback is posted to /_dash-update-component with the
Flask test client, so routing, the callback, the marts query and JSON serialisation are all
timed; the page views are built every time (the page-view cache is off), so the figures are
those of a first visit. Targets: p95 under 300 ms at province scale, under 1 s at national.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from _accounts import benchmark_login  # benchmarks/_accounts.py, beside this script

import dashboards.cache
from app import create_app
from dashboards.auth import Scope
from dashboards.queries import meta
from pipelines.settings import load_settings


def _payload(output: str, inputs: list[tuple[str, str, object]], state=(), changed=None) -> dict:
    ids = output.strip(".").split("...") if output.startswith("..") else [output]
    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in ids]
    return {
        "output": output,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": [changed or f"{inputs[0][0]}.{inputs[0][1]}"],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--jurisdiction", default=None)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    settings = load_settings(args.data_dir, jurisdiction=args.jurisdiction)
    app = create_app(settings)
    client = app.server.test_client()
    name, password = benchmark_login(settings)
    assert client.post("/login", data={"name": name, "password": password}).status_code == 302
    scope = Scope(settings, name, "admin", None)
    info = meta(scope)
    year, district = info.years[-1], None
    client.get("/")  # first request builds the boundary cache
    outputs = {k.split("@")[0]: k for k in app.callback_map}
    from dashboards.queries import unit_names

    district = sorted(unit_names(scope))[len(unit_names(scope)) // 2]
    cases = {
        "overview": (outputs["overview-content.children"],
                     [("shell-programme", "value", "mental_rehab"), ("shell-year", "value", year), ("shell-lang", "value", "zh"),
                      ("shell-as-of-select", "value", None), ("overview-area", "data", None), ("shell-snapshot", "data", None)], ()),
        "district": (outputs["district-content.children"],
                     [("district-code", "data", district), ("shell-programme", "value", "mental_rehab"),
                      ("shell-year", "value", year), ("shell-lang", "value", "zh"),
                      ("shell-as-of-select", "value", None), ("shell-snapshot", "data", None)], ()),
        "downloads preview": (outputs[next(k for k in outputs if "downloads-grid.rowData" in k)],
                              [("downloads-indicator", "value", "service_coverage"), ("shell-programme", "value", "mental_rehab"),
                               ("shell-year", "value", year), ("shell-as-of-select", "value", None),
                               ("downloads-by", "value", "township"), ("downloads-readable", "value", []),
                               ("shell-lang", "value", "zh")], ()),
        "shell language": (outputs[next(k for k in outputs if "shell-title.children" in k)],
                           [("shell-lang", "value", "en")], ()),
        "as-of choices": (outputs[next(k for k in outputs if "shell-as-of-select.options" in k)],
                          [("url", "search", ""), ("shell-programme", "value", "mental_rehab"),
                           ("shell-year", "value", year), ("shell-as-of-select", "value", None)],
                          (), "shell-year.value"),
        "notifications feed": (outputs["notify-feed.children"],
                               [("notify-status", "value", "open"), ("shell-programme", "value", "mental_rehab"),
                                ("shell-year", "value", year), ("notify-district", "value", ""),
                                ("notify-rule", "value", ""), ("shell-lang", "value", "zh")], ()),
        "notifications badge": (outputs["shell-badge.children"],
                                [("shell-programme", "value", "mental_rehab"), ("shell-year", "value", year),
                                 ("url", "pathname", "/")], ()),
    }  # fmt: skip
    # Time the full build of every view: no page-view cache (dashboards/cache.py) in between.
    dashboards.cache.MAX_ENTRIES = 0
    print(f"{'callback':20} {'p50 ms':>8} {'p95 ms':>8} {'KB':>8}")
    for label, (output, inputs, state, *changed) in cases.items():
        body = _payload(output, inputs, state, *changed)
        times, size = [], 0
        client.post("/_dash-update-component", json=body)  # warm-up: boundaries, connections
        for _ in range(args.requests):
            t0 = time.perf_counter()
            response = client.post("/_dash-update-component", json=body)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (
                label,
                response.status_code,
                response.get_data(as_text=True)[:300],
            )
            size = len(response.get_data())
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(f"{label:20} {statistics.median(times):8.0f} {p95:8.0f} {size / 1024:8.0f}")
    geo = client.get("/geo/boundaries.geojson").get_data()
    print(
        f"boundaries asset: {len(geo) / 1024:.0f} KB for {len(json.loads(geo)['features'])} districts"
    )


if __name__ == "__main__":
    main()
