"""An account for the benchmarks to log in with (created or reset in the data directory)."""

from __future__ import annotations

import secrets

from pipelines.ops import accounts
from pipelines.settings import Settings

NAME = "benchmark"


def benchmark_login(
    settings: Settings, role: str = "admin", district: str | None = None
) -> tuple[str, str]:
    """(name, password) of a fresh-password account with `role` for this benchmark run."""
    name = f"{NAME}-{role}" + (f"-{district}" if district else "")
    password = secrets.token_urlsafe(16)
    if name in {u.name for u in accounts.users(settings)}:
        accounts.set_password(settings, name, password, by="benchmark")
    else:
        accounts.add_user(settings, name, role, password, district, by="benchmark")
    return name, password
