"""Apache Spark as the engine of the marts (`--engine spark`): the indicator SQL, written for
both engines (STYLE.md rule 15), translated by sqlglot and run on a Spark session, local
(`local[*]`) or on a cluster through `spark-submit`.

Spark reads the loaded tables as Parquet (pipelines/warehouse/parquet.py) and the small
reference tables from the working database; every fact step is computed and cached before the
next one reads it (a view would be recomputed from whatever `periods` holds then). The rows of
each mart come back to the driver and are written into the working database, which is published
as a snapshot exactly as after a DuckDB run: the app reads DuckDB either way.

pyspark is an optional dependency (`pip install -e '.[spark]'`), imported only here.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from pipelines.settings import Settings
from pipelines.warehouse.db import Params, scalar
from pipelines.warehouse.parquet import export_parquet, table_file
from schemas.contract import DATASETS

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


class StaleParquet(RuntimeError):
    """The Parquet files Spark would read do not hold what the working database holds."""


def to_spark(sql: str) -> str:
    """A statement of the indicator SQL (DuckDB syntax) in Spark SQL. sqlglot translates the
    functions (date_diff, make_date, bool_or, …) and writes a parameter `$name` as Spark's
    named marker `:name`, bound by `spark.sql(..., args=...)`."""
    import sqlglot

    return sqlglot.transpile(
        sql, read="duckdb", write="spark", unsupported_level=sqlglot.ErrorLevel.RAISE
    )[0]


def session(settings: Settings, conf: dict[str, str] | None = None) -> SparkSession:
    """The Spark session: the master of `spark-submit` when started by it, else the setting
    REHAB_MONITOR_SPARK_MASTER (`local[*]`: every core of this machine)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise RuntimeError(
            "未安装 Spark 组件，请运行 pip install -e '.[spark]' / pyspark is not installed: "
            "pip install -e '.[spark]' (and a Java 17 runtime)"
        ) from exc
    builder = SparkSession.builder.appName("rehab-monitor marts")
    conf = dict(conf or {})
    # spark-submit starts the Python driver with a gateway and its own master and settings.
    if "PYSPARK_GATEWAY_PORT" not in os.environ:
        builder = builder.master(settings.spark_master)
        if settings.spark_master.startswith("local"):
            # Spark's 200 shuffle partitions suit a cluster; on one machine each tiny task
            # costs more than it computes.
            conf.setdefault("spark.sql.shuffle.partitions", str(2 * (os.cpu_count() or 2)))
    for key, value in conf.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def engine_for(con: duckdb.DuckDBPyConnection, settings: Settings) -> SparkEngine:
    """The Spark engine of a run: the loaded tables exported to DATA_DIR/parquet first, unless
    REHAB_MONITOR_SPARK_PARQUET names where they already are (e.g. on HDFS)."""
    location = settings.spark_parquet
    if not location:
        export_parquet(con, settings.parquet_dir)
        location = str(settings.parquet_dir.resolve())
    return SparkEngine(con, session(settings), location)


class SparkEngine:
    """The engine interface (pipelines/indicators/engines.py) on a Spark session."""

    name = "spark"

    def __init__(self, con: duckdb.DuckDBPyConnection, spark: SparkSession, parquet_dir: str):
        self.con = con
        self.spark = spark
        self.parquet_dir = str(parquet_dir)
        self._tables: dict[str, DataFrame] = {}

    def use_tables(self, names: Iterable[str]) -> None:
        """Loaded tables from their Parquet files (checked against the working database's row
        counts, so a stale copy on HDFS is refused), small ones copied from the database."""
        for name in names:
            if name in DATASETS:
                df = self.spark.read.parquet(table_file(self.parquet_dir, name))
                self._register(name, df, cache=True)
                expected = scalar(self.con, f"select count(*) from {name}")
                if df.count() != expected:
                    raise StaleParquet(
                        f"{table_file(self.parquet_dir, name)} 的行数与数据库不一致，请重新导出 "
                        f"(rehab-monitor warehouse export) / holds {df.count():,} rows, the "
                        f"database {expected:,}: export the tables again "
                        "(rehab-monitor warehouse export)"
                    )
            else:
                arrow = self.con.sql(f"select * from {name}").to_arrow_table()
                self._register(name, self.spark.createDataFrame(arrow), cache=False)

    def put(self, name: str, df: pl.DataFrame) -> None:
        arrow = df.to_arrow(compat_level=pl.CompatLevel.oldest())
        self._register(name, self.spark.createDataFrame(arrow), cache=False)

    def materialise(self, name: str, sql: str, params: Params = None) -> None:
        self._register(name, self._sql(sql, params), cache=True)

    def frame(self, sql: str, params: Params = None) -> pl.DataFrame:
        return pl.from_arrow(self._sql(sql, params).toArrow())

    def write(self, table: str, sql: str, params: Params = None, *, append: bool = False) -> None:
        rows = self._sql(sql, params).toArrow()
        self.con.register("spark_rows", rows)
        try:
            verb = f"insert into {table}" if append else f"create or replace table {table} as"
            self.con.execute(f"{verb} select * from spark_rows")
        finally:
            self.con.unregister("spark_rows")

    def close(self) -> None:
        """Release the cached tables (the session stays for whoever else uses it)."""
        for df in self._tables.values():
            df.unpersist()
        self._tables.clear()

    def _sql(self, sql: str, params: Params) -> DataFrame:
        args = dict(params) if params else None
        return self.spark.sql(to_spark(sql), args=args)

    def _register(self, name: str, df: DataFrame, *, cache: bool) -> None:
        """`df` as the temporary view `name`; cached ones are computed now. A view made from a
        DataFrame keeps the plan it was made with, so a later `periods` does not change it."""
        if cache:
            df = df.persist()
            df.count()
        df.createOrReplaceTempView(name)
        old = self._tables.pop(name, None)
        if old is not None:
            old.unpersist()
        self._tables[name] = df
