"""services: one row per service episode."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas import checks as c
from schemas.base import DatasetModel
from schemas.contract import SERVICES

DATE_COLUMNS = tuple(SERVICES.of_kind("date"))


class ServicesModel(DatasetModel):
    service_id: str = pa.Field(nullable=False)
    case_id: str = pa.Field(nullable=False)
    institution_id: str = pa.Field(nullable=True)
    service_type: str = pa.Field(nullable=True)
    start_date: str = pa.Field(nullable=False)
    end_date: str = pa.Field(nullable=True)
    standardized: str = pa.Field(nullable=True)
    months: str = pa.Field(nullable=True)
    amount: str = pa.Field(nullable=True)
    settled_date: str = pa.Field(nullable=True)

    @pa.check("service_id", name="duplicate_key")
    def _unique(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.unique_key(data.key))

    @pa.check("case_id", name="orphan_service")
    def _known_case(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.known_case(data.key))

    @pa.check(*DATE_COLUMNS, name="date_invalid")
    def _dates(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.is_date(data.key))

    @pa.check(*DATE_COLUMNS, name="date_out_of_range")
    def _date_range(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.date_in_range(data.key))

    @pa.check("end_date", name="end_before_start")
    def _end_after_start(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.not_before("end_date", "start_date"))

    @pa.check("standardized", name="yes_no_invalid")
    def _yes_no(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.yes_no_ok(data.key))

    @pa.check("months", "amount", name="number_invalid")
    def _numbers(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.is_number(data.key))
