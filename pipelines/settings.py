"""All settings in one place: name, default, environment variable and help.

The data directory and every path inside it are derived here and nowhere else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REFERENCE_DIR = PROJECT_ROOT / "data" / "reference"
# Where the marts can be computed (pipelines/indicators/engines.py).
ENGINES = ("duckdb", "spark")


def _meta(env: str, help_: str) -> dict:
    return {"env": env, "help": help_}


@dataclass(frozen=True)
class Settings:
    """Installation settings; every field can be set by its environment variable."""

    data_dir: Path = field(
        default=Path("data"),
        metadata=_meta(
            "REHAB_MONITOR_DATA", "Directory holding database, inbox, secret, quarantine"
        ),
    )
    jurisdiction: str = field(
        default="211200",
        metadata=_meta(
            "REHAB_MONITOR_JURISDICTION",
            "Adcode of the jurisdiction: a city (211200 铁岭市), a province (210000) or 100000",
        ),
    )
    schedule_time: str = field(
        default="02:00",
        metadata=_meta("REHAB_MONITOR_SCHEDULE_TIME", "Nightly pipeline time, HH:MM"),
    )
    timezone: str = field(
        default="Asia/Shanghai",
        metadata=_meta("REHAB_MONITOR_TIMEZONE", "Time zone of the schedule and of 'today'"),
    )
    today: str = field(
        default="",
        metadata=_meta(
            "REHAB_MONITOR_TODAY",
            "The day runs, the demo and bulletins take as today (YYYY-MM-DD), to reproduce a past "
            "run; empty: the current date in the time zone",
        ),
    )
    lagging_points: float = field(
        default=5.0,
        metadata=_meta(
            "REHAB_MONITOR_LAGGING_POINTS",
            "Points below the expected path up to which a unit is 滞后 (lagging), beyond: 严重滞后",
        ),
    )
    stale_days: int = field(
        default=45,
        metadata=_meta("REHAB_MONITOR_STALE_DAYS", "Days without new records before data is stale"),
    )
    reject_share_alert: float = field(
        default=0.05,
        metadata=_meta(
            "REHAB_MONITOR_REJECT_SHARE", "Share of a file's rows rejected that raises a notice"
        ),
    )
    duckdb_memory: str = field(
        default="4GB",
        metadata=_meta(
            "REHAB_MONITOR_DUCKDB_MEMORY",
            "Memory DuckDB may use in a pipeline run before spilling to disk (e.g. 1GB)",
        ),
    )
    keep_snapshots: int = field(
        default=3,
        metadata=_meta("REHAB_MONITOR_KEEP_SNAPSHOTS", "Published snapshots kept on disk"),
    )

    idle_minutes: int = field(
        default=30,
        metadata=_meta(
            "REHAB_MONITOR_IDLE_MINUTES", "Minutes without activity after which a login ends"
        ),
    )
    cookie_secure: int = field(
        default=0,
        metadata=_meta(
            "REHAB_MONITOR_COOKIE_SECURE",
            "1: send the session cookie only over HTTPS (set when a proxy serves the app over "
            "HTTPS; requests that arrive as HTTPS get it anyway)",
        ),
    )
    login_attempts: int = field(
        default=5,
        metadata=_meta(
            "REHAB_MONITOR_LOGIN_ATTEMPTS",
            "Failed logins for one user name from one address within 15 minutes before that "
            "name is refused from that address for 15 minutes (other users and addresses are "
            "not locked out)",
        ),
    )
    trusted_proxies: str = field(
        default="",
        metadata=_meta(
            "REHAB_MONITOR_TRUSTED_PROXIES",
            "Comma-separated addresses of the reverse proxies in front of the app (e.g. "
            "127.0.0.1): only from them is X-Forwarded-For believed for the client's address",
        ),
    )
    keep_uploads: int = field(
        default=0,
        metadata=_meta(
            "REHAB_MONITOR_KEEP_UPLOADS",
            "1: after a run, move the files uploaded on the data page to DATA_DIR/uploads "
            "(owner-only) instead of deleting them (they hold raw identities)",
        ),
    )
    max_unpacked_mb: int = field(
        default=2048,
        metadata=_meta(
            "REHAB_MONITOR_MAX_UNPACKED_MB",
            "Largest unpacked size of a workbook (.xlsx/.ods) read, in MB; larger ones, and "
            "ones that unpack over 100 times their size (zip bombs), are refused before reading",
        ),
    )
    max_sheet_cells: int = field(
        default=30_000_000,
        metadata=_meta(
            "REHAB_MONITOR_MAX_SHEET_CELLS",
            "Largest area of an .xlsx/.xlsm worksheet read, in cells from A1 to its farthest "
            "cell (rows × columns; 1,048,576 rows × 28 columns fit); a sheet reaching further "
            "(one cell at XFD1048576 makes 17 billion) is refused before reading",
        ),
    )
    upload_mb: int = field(
        default=50,
        metadata=_meta("REHAB_MONITOR_UPLOAD_MB", "Largest file the data page accepts, in MB"),
    )
    attachment_mb: int = field(
        default=10,
        metadata=_meta(
            "REHAB_MONITOR_ATTACHMENT_MB",
            "Largest attachment (.docx/.pdf/.xlsx) a district may add to a 督办 answer, in MB",
        ),
    )
    small_cells: str = field(
        default="suppress",
        metadata=_meta(
            "REHAB_MONITOR_SMALL_CELLS",
            "suppress: counts 1–4 in breakdowns finer than district are shown as <5 in downloads, "
            "exports and the district page, with complementary cells hidden as *; show: exact "
            "counts",
        ),
    )
    engine: str = field(
        default="duckdb",
        metadata=_meta(
            "REHAB_MONITOR_ENGINE",
            "Where a pipeline run computes the marts: duckdb (this machine) or spark (Apache "
            "Spark, needs the spark extra and Java 17)",
        ),
    )
    spark_master: str = field(
        default="local[*]",
        metadata=_meta(
            "REHAB_MONITOR_SPARK_MASTER",
            "Spark master of the spark engine when not started by spark-submit (local[*]: every "
            "core of this machine; yarn, k8s://https://HOST:PORT, spark://HOST:7077)",
        ),
    )
    spark_parquet: str = field(
        default="",
        metadata=_meta(
            "REHAB_MONITOR_SPARK_PARQUET",
            "Where the spark engine reads the loaded tables as Parquet (e.g. hdfs:///rehab/"
            "warehouse, exported there by you); empty: DATA_DIR/parquet, exported by each run",
        ),
    )

    def current_date(self) -> date:
        """Today in the installation's time zone, unless `today` fixes the day."""
        if self.today:
            return date.fromisoformat(self.today)
        return datetime.now(ZoneInfo(self.timezone)).date()

    # Paths derived from the data directory -------------------------------------------------
    @property
    def inbox_dir(self) -> Path:
        return self.data_dir / "inbox"

    @property
    def warehouse_path(self) -> Path:
        """The pipeline's working database (one writer: the pipeline run)."""
        return self.data_dir / "warehouse.duckdb"

    @property
    def app_db_path(self) -> Path:
        """Users, roles and the audit log (SQLite, WAL): written by the app, not the pipeline."""
        return self.data_dir / "app.sqlite"

    @property
    def runs_dir(self) -> Path:
        """Run reports (JSON) and their rejected rows (Parquet), read by the data page."""
        return self.data_dir / "runs"

    @property
    def demo_logins_path(self) -> Path:
        """Demo accounts and their generated passwords (0600), written when the demo is loaded."""
        return self.data_dir / "demo-logins.txt"

    @property
    def snapshots_dir(self) -> Path:
        return self.data_dir / "snapshots"

    @property
    def published_pointer(self) -> Path:
        """JSON file naming the snapshot readers use; replaced atomically on publish."""
        return self.data_dir / "published.json"

    @property
    def secret_path(self) -> Path:
        return self.data_dir / "secret.key"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "pipeline.lock"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def work_dir(self) -> Path:
        """Owner-only scratch space of a run inside the inbox area, the one place raw values
        may be (a non-UTF-8 CSV's UTF-8 copy while it is read); emptied when a file has been
        read, when a run ends and when the next run starts (after a killed run)."""
        return self.inbox_dir / ".work"

    @property
    def parquet_dir(self) -> Path:
        """The loaded tables as Parquet, written for the spark engine (spark_parquet empty)."""
        return self.data_dir / "parquet"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def reference_override_dir(self) -> Path:
        """An installation's own reference files; they take precedence over the shipped ones."""
        return self.data_dir / "reference"

    def reference_file(self, name: str) -> Path:
        """The reference file to use: the data directory's copy if present, else the shipped one."""
        local = self.reference_override_dir / name
        return local if local.exists() else DEFAULT_REFERENCE_DIR / name

    def ensure_dirs(self) -> None:
        for path in (self.data_dir, self.inbox_dir, self.snapshots_dir, self.log_dir):
            path.mkdir(parents=True, exist_ok=True)


def _coerce(kind: type, raw: str):
    if kind is Path or kind == "Path":
        return Path(raw)
    if kind in (int, "int"):
        return int(raw)
    if kind in (float, "float"):
        return float(raw)
    return raw


def load_settings(data_dir: str | Path | None = None, **overrides) -> Settings:
    """Settings from defaults, then environment variables, then explicit arguments."""
    values = {}
    for f in fields(Settings):
        env = f.metadata["env"]
        if env in os.environ and os.environ[env] != "":
            values[f.name] = _coerce(f.type, os.environ[env])
    if data_dir is not None:
        values["data_dir"] = Path(data_dir)
    values.update({k: v for k, v in overrides.items() if v is not None})
    settings = replace(Settings(), **values)
    _check(settings)
    return settings


def _check(settings: Settings) -> None:
    try:
        time.fromisoformat(settings.schedule_time)
    except ValueError as exc:
        raise ValueError(f"schedule_time must be HH:MM, got {settings.schedule_time!r}") from exc
    if settings.today:
        try:
            date.fromisoformat(settings.today)
        except ValueError as exc:
            raise ValueError(f"today must be YYYY-MM-DD, got {settings.today!r}") from exc
    if settings.small_cells not in ("suppress", "show"):
        raise ValueError(f"small_cells must be suppress or show, got {settings.small_cells!r}")
    if settings.engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {settings.engine!r}")
    if not (settings.jurisdiction.isdigit() and len(settings.jurisdiction) == 6):
        raise ValueError(f"jurisdiction must be a 6-digit adcode, got {settings.jurisdiction!r}")


def describe() -> list[tuple[str, str, str, str]]:
    """(name, environment variable, default, help) for every setting, for docs and --help."""
    return [
        (f.name, f.metadata["env"], str(f.default), f.metadata["help"]) for f in fields(Settings)
    ]


def owner_only() -> None:
    """Files and folders this process creates are the owner's alone (0600 / 0700): the
    database, snapshots, app.sqlite, logs, run reports, bulletins and inbox uploads hold
    figures and, in the inbox, identities. Called by every entry point (CLI, WSGI app)."""
    os.umask(0o077)
