"""cases: one row per person per programme registration."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas import checks as c
from schemas.base import DatasetModel
from schemas.contract import CASES

DATE_COLUMNS = tuple(CASES.of_kind("date"))
YES_NO_COLUMNS = tuple(CASES.of_kind("yes_no"))


class CasesModel(DatasetModel):
    case_id: str = pa.Field(nullable=False)
    programme: str = pa.Field(nullable=False)
    id_number: str = pa.Field(nullable=True)
    certificate_no: str = pa.Field(nullable=True)
    name: str = pa.Field(nullable=True)
    gender: str = pa.Field(nullable=True)
    birth_date: str = pa.Field(nullable=True)
    disability_category: str = pa.Field(nullable=True)
    disability_level: str = pa.Field(nullable=True)
    certified: str = pa.Field(nullable=True)
    district_code: str = pa.Field(nullable=False)
    township: str = pa.Field(nullable=True)
    registration_date: str = pa.Field(nullable=False)
    need_assessed: str = pa.Field(nullable=True)
    assessment_date: str = pa.Field(nullable=True)
    application_date: str = pa.Field(nullable=True)
    review_date: str = pa.Field(nullable=True)
    referral_date: str = pa.Field(nullable=True)
    referral_source: str = pa.Field(nullable=True)
    poverty_status: str = pa.Field(nullable=True)
    medical_insurance: str = pa.Field(nullable=True)
    family_doctor_signed: str = pa.Field(nullable=True)
    income_assessment_date: str = pa.Field(nullable=True)
    exit_date: str = pa.Field(nullable=True)
    exit_reason: str = pa.Field(nullable=True)

    @pa.check("case_id", name="duplicate_key")
    def _unique(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.unique_key(data.key))

    @pa.check("id_number", name="missing_identifier")
    def _identifier(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("id_number").is_not_null() | pl.col("certificate_no").is_not_null()
        )

    @pa.check("id_number", name="id_excel_float")
    def _id_float(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.id_not_float(data.key))

    @pa.check("id_number", name="id_format")
    def _id_format(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.id_format(data.key))

    @pa.check("id_number", name="id_checksum")
    def _id_checksum(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.id_checksum(data.key))

    @pa.check("id_number", name="id_birth_date")
    def _id_birth(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.id_birth(data.key))

    @pa.check("certificate_no", name="id_excel_float")
    def _cert_float(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.id_not_float(data.key))

    @pa.check("certificate_no", name="certificate_format")
    def _cert_format(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.certificate_format(data.key))

    @pa.check("certificate_no", name="id_checksum")
    def _cert_checksum(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.certificate_checksum(data.key))

    @pa.check("certificate_no", name="id_birth_date")
    def _cert_birth(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.id_birth(data.key))

    @pa.check("certificate_no", name="certificate_mismatch")
    def _cert_match(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.certificate_matches(data.key, "id_number"))

    @pa.check("programme", name="programme_unknown")
    def _programme(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.programme_ok(data.key))

    @pa.check("gender", name="gender_invalid")
    def _gender(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.gender_ok(data.key))

    @pa.check("disability_category", name="category_invalid")
    def _category(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.category_ok(data.key))

    @pa.check("disability_level", name="level_invalid")
    def _level(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.level_ok(data.key))

    @pa.check("poverty_status", name="poverty_invalid")
    def _poverty(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.poverty_ok(data.key))

    @pa.check(*YES_NO_COLUMNS, name="yes_no_invalid")
    def _yes_no(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.yes_no_ok(data.key))

    @pa.check("district_code", name="district_unknown")
    def _district(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.district_ok(data.key))

    @pa.check("district_code", name="district_ambiguous")
    def _district_ambiguous(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.district_unambiguous(data.key))

    @pa.check(*DATE_COLUMNS, name="date_invalid")
    def _dates(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.is_date(data.key))

    @pa.check(*DATE_COLUMNS, name="date_out_of_range")
    def _date_range(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.date_in_range(data.key))

    @pa.check("exit_date", name="end_before_start")
    def _exit_after_registration(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.not_before("exit_date", "registration_date"))

    @pa.check("review_date", name="end_before_start")
    def _review_after_application(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(c.not_before("review_date", "application_date"))
