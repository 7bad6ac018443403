"""staff: service staff, one row per person per year."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas import checks as c
from schemas.base import DatasetModel


class StaffModel(DatasetModel):
    staff_id: str = pa.Field(nullable=False)
    institution_id: str = pa.Field(nullable=True)
    name: str = pa.Field(nullable=True)
    professional_degree: str = pa.Field(nullable=True)
    direct_service: str = pa.Field(nullable=True)
    training_hours: str = pa.Field(nullable=True)
    year: str = pa.Field(nullable=False)

    @pa.check("staff_id", name="duplicate_key")
    def _unique(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.unique_key(data.key))

    @pa.check("professional_degree", "direct_service", name="yes_no_invalid")
    def _yes_no(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.yes_no_ok(data.key))

    @pa.check("training_hours", name="number_invalid")
    def _hours(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.is_number(data.key))

    @pa.check("year", name="year_invalid")
    def _year(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.is_year(data.key))
