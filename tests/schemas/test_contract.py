"""The data contract is the one list of each dataset's columns: the pandera models validate
exactly its columns with its required flags, and the warehouse tables are derived from it."""

from __future__ import annotations

import duckdb

from pipelines.ingest.validate import MODELS
from pipelines.warehouse.db import connect_warehouse, loaded_columns
from schemas.contract import DATASETS


def test_each_model_checks_the_contract_columns_with_their_required_flags():
    assert set(MODELS) == set(DATASETS)
    for name, dataset in DATASETS.items():
        fields = MODELS[name].to_schema().columns
        # district is resolved into district_code before validation, which then requires it.
        expected = {c.name: not c.required for c in dataset.columns if c.kind != "district"}
        got = {column: spec.nullable for column, spec in fields.items()}
        district = "district_code" in expected
        if district:
            expected["district_code"] = False
        assert got == expected, name


def test_the_loaded_tables_are_the_contract_without_raw_identities(settings):
    con = connect_warehouse(settings)
    try:
        for name, dataset in DATASETS.items():
            described = con.execute(f"describe {name}").fetchall()
            assert [(r[0], r[1], r[2] == "NO") for r in described] == loaded_columns(dataset)
            stored = {r[0] for r in described}
            assert not stored & {"id_number", "certificate_no", "district"}, name
            # A person's name is never stored; an institution's name (a text column) is.
            people = [c.name for c in dataset.columns if c.kind == "name"]
            assert not stored & set(people), name
    finally:
        con.close()
    cases = {n for n, _, _ in loaded_columns(DATASETS["cases"])}
    assert {"person_key", "id_masked", "name_masked"} <= cases
    assert not cases & {"id_number", "certificate_no", "name"}


def test_an_existing_database_keeps_working(settings):
    # Opening a working database twice (the schema statements run again) changes nothing.
    connect_warehouse(settings).close()
    con = connect_warehouse(settings)
    con.close()
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as again:
        assert again.execute("select count(*) from cases").fetchall() == [(0,)]
