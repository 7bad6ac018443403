"""Load test: simulated users on the overview and district pages of the real server.

    .venv/bin/python benchmarks/load_test.py [--scale city] [--users 50] [--seconds 60]
                                             [--out docs/performance.md]

Writes the demo at the chosen scale into a temporary data directory, loads it, starts
`rehab-monitor serve` (waitress) on a free loopback port and runs `--users` simulated users for
`--seconds` (async httpx, loopback only; it stops by itself). Each user logs in with its own
session, then repeatedly opens a page as the browser does — the page itself, the layout, and
the page's content callback (the overview for a random programme, or a random district's page) —
with a think time of 0.5–1.5 s between pages. Prints p50/p95 per request kind and the error
count, writes them into the "Load test" section of `--out`, and exits 1 on any error.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx
from _accounts import benchmark_login  # benchmarks/_accounts.py, beside this script
from _doc import write_section

from pipelines.demo import write_demo
from pipelines.indicators.regions import jurisdiction
from pipelines.settings import load_settings

PROGRAMMES = ("mental_rehab", "precise_rehab", "child_rehab", "poverty_rehab", "disabled_care")
SECTION = "## Load test"


def _payload(output: str, inputs: list[tuple[str, str, object]]) -> dict:
    component, prop = output.split(".")
    return {"output": output, "outputs": {"id": component, "property": prop},
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"], "state": []}  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _user(url: str, login: tuple[str, str], codes: list[str], year: int, deadline: float,
                timings: dict[str, list[float]], errors: list[str]) -> None:  # fmt: skip
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        response = await client.post("/login", data={"name": login[0], "password": login[1]})
        if response.status_code != 302:
            errors.append(f"login {response.status_code}")
            return
        while time.monotonic() < deadline:
            overview = random.random() < 0.5
            path = "/" if overview else f"/district/{random.choice(codes)}"
            shell = [
                ("shell-programme", "value", random.choice(PROGRAMMES)),
                ("shell-year", "value", year),
            ]
            if overview:
                body = _payload("overview-content.children", [*shell, ("shell-lang", "value", "zh"),
                                ("shell-as-of-select", "value", None), ("overview-area", "data", None), ("shell-snapshot", "data", None)])  # fmt: skip
            else:
                body = _payload("district-content.children", [("district-code", "data", path.rsplit("/", 1)[1]),
                                *shell, ("shell-lang", "value", "zh"), ("shell-as-of-select", "value", None),
                                ("shell-snapshot", "data", None)])  # fmt: skip
            kind = "overview" if overview else "district"
            for label, request in ((f"{kind} page", client.get(path)), ("layout", client.get("/_dash-layout")),
                                   (f"{kind} callback", client.post("/_dash-update-component", json=body))):  # fmt: skip
                t0 = time.perf_counter()
                try:
                    response = await request
                    if response.status_code != 200:
                        errors.append(f"{label}: HTTP {response.status_code}")
                except httpx.HTTPError as exc:
                    errors.append(f"{label}: {type(exc).__name__}")
                timings.setdefault(label, []).append((time.perf_counter() - t0) * 1000)
            await asyncio.sleep(random.uniform(0.5, 1.5))


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=("small", "city"), default="city")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs" / "performance.md"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="rehab-load-") as tmp:
        data = Path(tmp) / "data"
        env = {**os.environ, "REHAB_MONITOR_JURISDICTION": "211200"}
        settings = load_settings(data, jurisdiction="211200")
        write_demo(settings.inbox_dir, scale=args.scale, seed=5, jurisdiction="211200")
        cli = [sys.executable, "-m", "pipelines.cli", "--data-dir", str(data)]
        subprocess.run([*cli, "pipeline", "run"], check=True, capture_output=True, env=env)
        login = benchmark_login(settings, "leader")
        port = _free_port()
        server_log = (Path(tmp) / "server.log").open("w")
        server = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env,
                                  stdout=server_log, stderr=server_log)  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(240):
                try:
                    httpx.get(url + "/login", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.25)
            codes = sorted(jurisdiction("211200").codes)
            timings: dict[str, list[float]] = {}
            errors: list[str] = []
            deadline = time.monotonic() + args.seconds

            async def crowd():
                await asyncio.gather(*(_user(url, login, codes, 2025, deadline, timings, errors)
                                       for _ in range(args.users)))  # fmt: skip

            started = time.monotonic()
            asyncio.run(crowd())
            elapsed = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
            server_log.close()
            if errors:
                log = (data / "logs" / "rehab-monitor.log").read_text(errors="replace")
                print(
                    "\n".join(line for line in log.splitlines() if "waitress.queue" not in line)[
                        -8000:
                    ]
                )

    requests = sum(len(v) for v in timings.values())
    lines = [
        f"| {k} | {len(v):,} | {statistics.median(v):.0f} | {_p95(v):.0f} |"
        for k, v in sorted(timings.items())
    ]
    table = "\n".join(["| request | count | p50 ms | p95 ms |", "|---|---:|---:|---:|", *lines])
    summary = (f"{args.users} users for {args.seconds:.0f} s on the {args.scale} demo, {requests:,} requests "
               f"in {elapsed:.0f} s ({requests / elapsed:.0f}/s), errors: {len(errors)}")  # fmt: skip
    print(summary)
    print(table)
    if errors:
        print("errors (first 10):", *errors[:10], sep="\n  ")
    _write_section(args.out, summary, table)
    return 1 if errors else 0


def _write_section(out: Path, summary: str, table: str) -> None:
    write_section(out, SECTION, f"`benchmarks/load_test.py` (measured {date.today().isoformat()}, "
                  f"{os.cpu_count()} cores): {summary}.\n\n{table}")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
