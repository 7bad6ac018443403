"""The marts' SQL is portable (STYLE.md rule 15): every statement of the indicator and mart
files is a plain select that runs on DuckDB and on Apache Spark. Each statement is parsed with
sqlglot and refused on a construct one of the two engines reads differently or not at all."""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.tokens import TokenType

from pipelines.indicators.engines import named_selects
from pipelines.warehouse.db import sql_folder

# Columns that hold dates in the indicator SQL: subtracting two of them is days in DuckDB and
# an interval in Spark, so it must go through date_diff.
DATE_COLUMNS = {"as_of", "y_start", "y_cut", "cutoff", "day", "since", "superseded_on"}


def _dateish(node: exp.Expression) -> bool:
    node = node.unnest()
    if isinstance(node, exp.DateFromParts | exp.CurrentDate | exp.Date):
        return True
    if isinstance(node, exp.Cast):
        return node.to.this == exp.DataType.Type.DATE
    if isinstance(node, exp.Column):
        return node.name in DATE_COLUMNS or node.name.endswith("_date")
    if isinstance(node, exp.Func) and node.sql_name() in ("LEAST", "GREATEST", "COALESCE"):
        return any(_dateish(a) for a in node.iter_expressions())
    # a date plus or minus an interval is still a date
    if isinstance(node, exp.Add | exp.Sub):
        return _dateish(node.this) and isinstance(node.expression.unnest(), exp.Interval)
    return False


def problems(sql: str) -> list[str]:
    """Why `sql` (one statement, DuckDB syntax) would not run the same on Spark; [] if it does."""
    found = []
    if any(t.token_type == TokenType.DCOLON for t in DuckDB().tokenize(sql)):
        found.append("`::` cast (use cast(x as type))")
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        return [*found, f"does not parse: {exc}"]
    if not isinstance(tree, exp.Query):
        found.append(f"{tree.key} statement (a named select only; the runner materialises it)")
    for union in tree.find_all(exp.Union):
        if union.args.get("by_name"):
            found.append("union by name (the branches list the same columns: plain union all)")
    for sub in tree.find_all(exp.Sub):
        if _dateish(sub.this) and _dateish(sub.expression):
            found.append(f"date subtraction `{sub.sql('duckdb')}` (use date_diff('day', a, b))")
    for star in tree.find_all(exp.Star):
        if star.args.get("except_") or star.args.get("replace") or star.args.get("rename"):
            found.append("select * exclude/replace/rename")
    if tree.find(exp.Qualify):
        found.append("qualify (filter a window in an outer select)")
    try:
        sqlglot.transpile(
            sql, read="duckdb", write="spark", unsupported_level=sqlglot.ErrorLevel.RAISE
        )
    except sqlglot.errors.SqlglotError as exc:
        found.append(f"not expressible in Spark SQL: {exc}")
    return found


def _statements() -> dict[str, str]:
    """Every statement the marts run, by file and name."""
    out = {}
    for folder in ("indicators", "marts"):
        for path in sorted(sql_folder("indicators", folder).iterdir()):
            if not path.name.endswith(".sql"):
                continue
            text = path.read_text(encoding="utf-8")
            selects = named_selects(text) or [("", text)]
            # nothing outside the named selects: every statement of the file is one of them
            assert len(sqlglot.parse(text, read="duckdb")) == len(selects), path.name
            for name, select in selects:
                out[f"{folder}/{path.name}:{name}"] = select
    return out


def test_every_statement_of_the_marts_is_portable():
    statements = _statements()
    assert len(statements) >= 11  # eight fact steps, values, breakdowns, load summary
    assert {k: problems(v) for k, v in statements.items() if problems(v)} == {}


def test_the_check_refuses_what_spark_reads_differently():
    assert problems("select as_of - make_date(year, 1, 1) + 1 as days from periods")
    assert problems("select cast(a.as_of as date) - a.registration_date from a")
    assert problems("select a from x union all by name select a from y")
    assert problems("select as_of::date from periods")
    assert problems("create or replace temp table t as select 1 as a")
    assert problems("select * exclude (a) from t")
    assert problems("select a from t qualify row_number() over (order by a) = 1")


def test_the_check_accepts_the_portable_forms():
    assert problems("select date_diff('day', make_date(year, 1, 1), as_of) + 1 from periods") == []
    assert (
        problems("select birth_date + interval '18' year, y_cut - interval '12' month from t") == []
    )
    assert problems("select cast(as_of as date), year - 1 from periods") == []
    assert problems("select a from x union all select a from y") == []
