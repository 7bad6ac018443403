"""institutions: designated institutions (定点机构)."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas import checks as c
from schemas.base import DatasetModel
from schemas.contract import INSTITUTIONS

DATE_COLUMNS = tuple(INSTITUTIONS.of_kind("date"))


class InstitutionsModel(DatasetModel):
    institution_id: str = pa.Field(nullable=False)
    name: str = pa.Field(nullable=True)
    district_code: str = pa.Field(nullable=False)
    kind: str = pa.Field(nullable=True)
    programmes: str = pa.Field(nullable=True)
    designated_from: str = pa.Field(nullable=True)
    designated_to: str = pa.Field(nullable=True)
    capacity: str = pa.Field(nullable=True)

    @pa.check("institution_id", name="duplicate_key")
    def _unique(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.unique_key(data.key))

    @pa.check("district_code", name="district_unknown")
    def _district(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.district_ok(data.key))

    @pa.check("district_code", name="district_ambiguous")
    def _district_ambiguous(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.district_unambiguous(data.key))

    @pa.check("programmes", name="programme_unknown")
    def _programmes(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.programme_list_ok(data.key))

    @pa.check(*DATE_COLUMNS, name="date_invalid")
    def _dates(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.is_date(data.key))

    @pa.check("designated_from", name="date_out_of_range")
    def _date_range(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.date_in_range(data.key))

    @pa.check("designated_to", name="end_before_start")
    def _end_after_start(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.not_before("designated_to", "designated_from"))

    @pa.check("capacity", name="number_invalid")
    def _capacity(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.is_int(data.key))
