"""The `rehab-monitor` command line (§10)."""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import sys
import tempfile
from datetime import date
from pathlib import Path

from pipelines.settings import ENGINES, Settings, describe, load_settings, owner_only

log = logging.getLogger("rehab_monitor")


def _common() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--data-dir",
        default=argparse.SUPPRESS,
        help="data directory (database, inbox, secret); default ./data or $REHAB_MONITOR_DATA",
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    settings_help = "\n".join(
        f"  {env:32} {help_} (default {default})" for _, env, default, help_ in describe()
    )
    parser = argparse.ArgumentParser(
        prog="rehab-monitor",
        description="康复目标监测 Rehab Target Monitor",
        epilog="settings (environment variables):\n" + settings_help,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", required=True)

    pipeline = sub.add_parser("pipeline", help="load the inbox into the database", parents=[common])
    psub = pipeline.add_subparsers(dest="action", required=True)
    run = psub.add_parser("run", help="one pipeline run", parents=[common])
    run.add_argument("--inbox", type=Path, help="folder of input files (default: DATA_DIR/inbox)")
    run.add_argument("--trigger", choices=("cli", "schedule", "upload", "targets"), default="cli",
                     help=argparse.SUPPRESS)  # fmt: skip
    run.add_argument("--engine", choices=ENGINES, help="where to compute the marts "
                     "(default: REHAB_MONITOR_ENGINE, duckdb)")  # fmt: skip
    reapply = psub.add_parser(
        "reapply",
        help="load files again although identical files were loaded before (e.g. to restore a "
        "correction an older file overwrote)",
        parents=[common],
    )
    reapply.add_argument("files", nargs="+", type=Path, metavar="FILE")
    psub.add_parser(
        "schedule",
        help="the nightly scheduler in the foreground (REHAB_MONITOR_SCHEDULE_TIME)",
        parents=[common],
    )

    marts = sub.add_parser(
        "marts",
        help="recompute the marts from the loaded tables and publish them",
        parents=[common],
    )
    marts.add_argument("--engine", choices=ENGINES, help="default: REHAB_MONITOR_ENGINE (duckdb)")

    warehouse = sub.add_parser("warehouse", help="the working database", parents=[common])
    wsub = warehouse.add_subparsers(dest="action", required=True)
    wexport = wsub.add_parser(
        "export", help="the loaded tables as files (for Spark)", parents=[common]
    )
    wexport.add_argument("--format", choices=("parquet",), default="parquet")
    wexport.add_argument("dir", type=Path, help="folder to write TABLE.parquet into")

    rejects = sub.add_parser("rejects", help="rejected rows of a run", parents=[common])
    rejects.add_argument("--run", default="latest", help="'latest' or a run number")
    rejects.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    rejects.add_argument("--out", type=Path, required=True)

    export = sub.add_parser(
        "export", help="an indicator by district, township, category or month", parents=[common]
    )
    export.add_argument(
        "indicator", help="e.g. service_coverage (see data/reference/indicators.csv)"
    )
    export.add_argument("--programme", required=True, help="programme code, e.g. mental_rehab")
    export.add_argument("--year", type=int, required=True)
    export.add_argument(
        "--as-of", type=date.fromisoformat, help="YYYY-MM-DD (default: latest date in the data)"
    )
    export.add_argument("--format", choices=("csv", "xlsx", "parquet"), default="csv")
    export.add_argument("--out", type=Path, required=True)
    export.add_argument(
        "--small-cells",
        choices=("suppress", "show"),
        help="counts 1–4 of township and category breakdowns as <5 (default: the setting)",
    )
    export.add_argument(
        "--by", choices=("district", "township", "category", "month"), default="district"
    )

    bulletin = sub.add_parser(
        "bulletin", help="a Word progress bulletin (进度通报)", parents=[common]
    )
    bulletin.add_argument(
        "--programme", required=True, help="programme code, e.g. mental_rehab, or all"
    )
    bulletin.add_argument("--period", required=True, help="2025-Q3, 2025-09 or 2025 (year to date)")
    bulletin.add_argument("--out", type=Path, required=True, help="FILE.docx")
    bulletin.add_argument(
        "--issuer", help="issuing body (default: the jurisdiction's joint-meeting office)"
    )
    bulletin.add_argument("--template", type=Path, help="the office's own .docx template")
    bulletin.add_argument(
        "--district",
        help="a district's own bulletin (its townships, items and tasks): a district code, or "
        "all for every district's in one zip (--out FILE.zip)",
    )

    user = sub.add_parser("user", help="users and roles of the web app", parents=[common])
    usub = user.add_subparsers(dest="action", required=True)
    add = usub.add_parser("add", help="create a user", parents=[common])
    add.add_argument("name")
    add.add_argument(
        "--role", required=True, choices=("admin", "leader", "office", "analyst", "district")
    )
    add.add_argument("--district", help="district code (district users only)")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    passwd = usub.add_parser("passwd", help="set a user's password", parents=[common])
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true")
    disable = usub.add_parser("disable", help="disable a user", parents=[common])
    disable.add_argument("name")
    usub.add_parser("list", help="list users", parents=[common])

    demo = sub.add_parser("demo", help="write a synthetic demo inbox", parents=[common])
    demo.add_argument("--out", type=Path, help="folder to write (default: DATA_DIR/inbox)")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--scale", choices=("small", "city", "province", "national"), default="small")
    demo.add_argument(
        "--load", action="store_true", help="then run the pipeline on it (into --data-dir)"
    )
    demo.add_argument(
        "--if-empty", action="store_true", help="do nothing when data has been published already"
    )

    serve = sub.add_parser("serve", help="serve the web app", parents=[common])
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8050)
    serve.add_argument("--debug", action="store_true", help="Dash debug mode (development only)")
    serve.add_argument("--threads", type=int, default=16, help="worker threads of the web server")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    owner_only()
    try:
        settings = load_settings(getattr(args, "data_dir", None))
    except ValueError as exc:
        print(f"设置错误 / settings error: {exc}", file=sys.stderr)
        return 2
    _log_to_file(settings)
    handler = {
        "pipeline": _pipeline,
        "marts": _marts,
        "warehouse": _warehouse,
        "rejects": _rejects,
        "demo": _demo,
        "export": _export,
        "bulletin": _bulletin,
        "user": _user,
        "serve": _serve,
    }[args.command]
    return handler(args, settings)


def _log_to_file(settings: Settings) -> None:
    """The log in DATA_DIR/logs, rotated at 10 MB (5 old files kept)."""
    settings.ensure_dirs()
    handler = logging.handlers.RotatingFileHandler(
        settings.log_dir / "rehab-monitor.log", maxBytes=10 * 1024 * 1024, backupCount=5,
        encoding="utf-8",
    )  # fmt: skip
    logging.basicConfig(
        handlers=[handler], level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )  # fmt: skip


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
    log.info(text)


def _pipeline(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.run import DiskFull, RunLocked, run_pipeline

    if getattr(args, "action", "run") == "schedule":
        from pipelines.ops.schedule import serve

        return serve(settings, say=_say)
    reapply = None
    if getattr(args, "action", "run") == "reapply":
        reapply = [f.resolve() for f in args.files]
        problem = _reapply_problem(reapply)
        if problem:
            _say(problem)
            return 2
    try:
        result = run_pipeline(
            settings,
            getattr(args, "inbox", None),
            trigger="reapply" if reapply else getattr(args, "trigger", "cli"),
            progress=_say,
            reapply=reapply,
            engine=getattr(args, "engine", None),
            recompute=getattr(args, "recompute", False),
        )
    except RunLocked as exc:
        _say(str(exc))
        return 3
    except DiskFull as exc:
        log.error("pipeline run failed: %s", exc.strerror)
        _say(f"运行失败 / run failed: {exc.strerror}")
        return 1
    except Exception as exc:
        log.exception("pipeline run failed")
        _say(f"运行失败 / run failed: {type(exc).__name__}: {exc}")
        return 1
    if reapply:
        from pipelines.ops.accounts import audit

        for f in {f.file: f for f in result.files}.values():
            audit(settings, "cli", "reapply", f.file, f"run={result.run_id} status={f.status}")
    print(summary(result))
    return 0


def _reapply_problem(files: list[Path]) -> str | None:
    """Why the files cannot be re-applied (missing, not a file, two of one name), or None."""
    for f in files:
        if not f.is_file():
            return f"找不到文件 / file not found: {f}"
    names = [f.name for f in files]
    if len(set(names)) < len(names):
        return (
            "文件名重复，请分次重新导入 / two files have the same name: re-apply them one at a time"
        )
    return None


def _marts(args: argparse.Namespace, settings: Settings) -> int:
    """A run that loads nothing: the marts recomputed on the engine and published."""
    return _pipeline(
        argparse.Namespace(action="run", trigger="marts", engine=args.engine, recompute=True),
        settings,
    )


def _warehouse(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.run import RunLocked, pipeline_lock
    from pipelines.warehouse.db import connect_warehouse
    from pipelines.warehouse.parquet import export_parquet

    try:
        with pipeline_lock(settings):
            con = connect_warehouse(settings)
            try:
                counts = export_parquet(con, args.dir)
            finally:
                con.close()
    except RunLocked as exc:
        _say(str(exc))
        return 3
    for table, n in counts.items():
        _say(f"{table}: {n:,} 行 rows → {args.dir / (table + '.parquet')}")
    return 0


def summary(result) -> str:
    """The end-of-run summary table (file, dataset, status, rows)."""
    lines = [
        f"运行 / run {result.run_id}: {result.status}, {result.seconds:.1f}s",
        f"{'文件 file':40} {'数据集 dataset':14} {'状态 status':10} {'读取 read':>10} "
        f"{'导入 loaded':>12} {'拒收 rejected':>14}",
    ]
    for f in result.files:
        lines.append(
            f"{f.file[:40]:40} {(f.dataset or '-'):14} {f.status:10} {f.rows_read:>10,} "
            f"{f.rows_loaded:>12,} {f.rows_rejected:>14,}"
        )
        if f.message_zh and f.status in ("refused", "skipped", "loaded"):
            lines.append(f"    {f.message_zh} / {f.message_en}")
        if f.unknown_columns:
            lines.append(f"    未识别的列 / unknown columns: {', '.join(f.unknown_columns)}")
        for r in f.replaced:
            zh, en = r.message()
            mark = "    " if r.reason == "reapplied" else "  !!"
            lines.append(f"{mark}{zh}\n      {en}")
    lines.append(
        f"合计 total: {len(result.files)} 个文件 files (导入 loaded {result.count('loaded')}, "
        f"跳过 skipped {result.count('skipped')}, 拒收 refused {result.count('refused')}); "
        f"行 rows 读取 read {result.total('rows_read'):,}, 导入 loaded {result.total('rows_loaded'):,}, "
        f"拒收 rejected {result.total('rows_rejected'):,}"
    )
    if result.total("rows_replaced_newer"):
        lines.append(
            f"!! 注意 / warning: {result.total('rows_replaced_newer'):,} 行被较早的文件覆盖了较新文件的数据 / "
            "rows replaced rows last written by newer files (see above)"
        )
    if result.published:
        lines.append(f"已发布 / published: {result.published.name}")
    if result.total("rows_rejected"):
        lines.append(
            "拒收明细 / rejected rows: rehab-monitor rejects --out rejects.xlsx --format xlsx"
        )
    return "\n".join(lines)


def _rejects(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.ingest.reports import rejected_rows
    from pipelines.outputs.tables import write_table

    try:
        run_id, df = rejected_rows(settings, args.run)
    except FileNotFoundError as exc:
        _say(str(exc))
        return 1
    write_table(df, args.format, args.out, sheet="rejected")
    from pipelines.ops.accounts import audit

    audit(settings, "cli", "rejects_export", str(args.out), f"run={run_id} rows={df.height}")
    _say(f"运行 / run {run_id}: {df.height} 条拒收记录 / rejected lines → {args.out}")
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.outputs.export import ExportError, export_frame
    from pipelines.outputs.tables import write_table

    try:
        df = export_frame(settings, args.indicator, args.programme, args.year, args.as_of, args.by,
                          args.small_cells)  # fmt: skip
    except (ExportError, FileNotFoundError) as exc:
        _say(str(exc))
        return 1
    write_table(df, args.format, args.out, sheet=args.indicator[:31])
    from pipelines.ops.accounts import audit

    audit(settings, "cli", "download", str(args.out), f"rows={df.height} by={args.by}")
    _say(f"{df.height} 行 rows → {args.out}")
    return 0


def _bulletin(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.outputs.bulletin import build

    if args.district:
        return _district_bulletin(args, settings)
    try:
        result = build(settings, args.programme, args.period, args.out, args.issuer, args.template)
    except (ValueError, FileNotFoundError) as exc:
        _say(str(exc))
        return 1
    from pipelines.ops.accounts import audit

    audit(settings, "cli", "bulletin_generate", result.path.name,
          f"programme={args.programme} period={args.period}")  # fmt: skip
    _say(
        f"{result.number} → {args.out}（存档 archived: {result.path.name}, 快照 snapshot: {result.snapshot}）"
    )
    return 0


def _district_bulletin(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.ops.accounts import audit
    from pipelines.outputs.bulletin.district import build_all_districts, build_district

    try:
        if args.district == "all":
            path = build_all_districts(settings, args.programme, args.period)
        else:
            path = build_district(settings, args.district, args.programme, args.period)
    except (ValueError, FileNotFoundError) as exc:
        _say(str(exc))
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(path.read_bytes())
    audit(settings, "cli", "bulletin_generate", path.name,
          f"district={args.district} programme={args.programme} period={args.period}")  # fmt: skip
    _say(f"{path.name} → {args.out}")
    return 0


def _read_password(from_stdin: bool) -> str:
    import getpass

    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("密码 / password: ")
    if getpass.getpass("再次输入 / again: ") != first:
        raise ValueError("两次输入不一致 / the passwords differ")
    return first


def _user(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.ops import accounts

    try:
        if args.action == "add":
            password = _read_password(args.password_stdin)
            u = accounts.add_user(settings, args.name, args.role, password, args.district)
            _say(
                f"已创建用户 / user created: {u.name} ({u.role}{' ' + u.district if u.district else ''})"
            )
        elif args.action == "passwd":
            accounts.set_password(settings, args.name, _read_password(args.password_stdin))
            _say(f"已修改密码 / password set: {args.name}")
        elif args.action == "disable":
            accounts.disable_user(settings, args.name)
            _say(f"已停用 / disabled: {args.name}")
        else:
            for u in accounts.users(settings):
                state = "停用 disabled" if u.disabled else "启用 active"
                print(f"{u.name:20} {u.role:10} {u.district or '-':8} {state}")
    except ValueError as exc:
        _say(str(exc))
        return 1
    return 0


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.demo import write_demo
    from pipelines.warehouse import snapshots

    if args.if_empty and snapshots.published(settings) is not None:
        _say("已有发布的数据，跳过演示数据 / data already published; demo not loaded")
        return 0
    if args.load:
        from pipelines.ops.accounts import ensure_demo_users

        ensure_demo_users(settings)
    from pipelines.indicators.regions import jurisdiction

    if args.scale in ("province", "national") and jurisdiction(settings.jurisdiction).level == "市":
        _say(
            "province 规模需要省级或全国辖区，例如 REHAB_MONITOR_JURISDICTION=210000 / "
            "the province scale needs a province or the country as jurisdiction, "
            "e.g. REHAB_MONITOR_JURISDICTION=210000"
        )
        return 2
    out = args.out or settings.inbox_dir
    demo = write_demo(
        out,
        scale=args.scale,
        seed=args.seed,
        jurisdiction=settings.jurisdiction,
        today=settings.current_date(),
    )
    _say(
        f"演示数据已写入 / demo written to {out}: {len(demo.files)} files, {demo.persons:,} persons, "
        f"{demo.case_rows:,} case rows, {demo.service_rows:,} service rows"
    )
    if args.load:
        return _pipeline(argparse.Namespace(inbox=out), settings)
    return 0


def _login_help(settings: Settings) -> str:
    """How to log in: the demo accounts when the demo made them, else how to add an admin."""
    from pipelines.ops.accounts import demo_logins, users

    logins = demo_logins(settings)
    if logins:
        lines = ["演示账号 / demo logins (用户名 user / 密码 password / 角色 role):"]
        lines += [
            f"  {x['name']:18} {x['password']:14} {x['role']} {x['district']}".rstrip()
            for x in logins
        ]
        lines.append(f"  （保存在 / kept in {settings.demo_logins_path}）")
        return "\n".join(lines)
    if not users(settings):
        return (
            "尚无用户，请先创建管理员 / no users yet, create the first admin:\n"
            f"  rehab-monitor --data-dir {settings.data_dir} user add admin --role admin"
        )
    return "请使用本单位分配的账号登录 / log in with your account"


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from app import create_app
    from pipelines.indicators.boundaries import boundaries_path
    from pipelines.indicators.regions import jurisdiction

    app = create_app(settings)
    # Built once before the first visitor (about 13 s for the country), a province's cities too.
    boundaries_path(settings)
    if jurisdiction(settings.jurisdiction).prefectures:
        boundaries_path(settings, "prefecture")
    print(f"康复目标监测 / Rehab Target Monitor: http://{args.host}:{args.port}", flush=True)
    print(_login_help(settings), flush=True)
    if args.debug:
        app.run(host=args.host, port=args.port, debug=True)
        return 0
    from waitress import serve

    # A request body over 512 KB (an upload: raw identities) is spooled by waitress to an
    # unnamed temporary file; keep it inside the data directory's owner-only work area, as
    # the transcoded copies are, never in the system's temporary directory.
    settings.work_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    tempfile.tempdir = str(settings.work_dir)
    # Browsers on the office network talk to this server (or a proxy in front of it).
    # Slow or half-open clients cannot hold the server: idle connections are closed after 30 s,
    # at most 200 are open, and requests are read whole before a worker thread takes them.
    serve(app.server, host=args.host, port=args.port, threads=args.threads, ident="rehab-monitor",
          channel_timeout=30, connection_limit=200, cleanup_interval=10,
          max_request_body_size=(settings.upload_mb * 12 + 1) * 1024 * 1024)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
