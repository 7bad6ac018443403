"""What every dataset model shares."""

from __future__ import annotations

import pandera.polars as pa


class DatasetModel(pa.DataFrameModel):
    """Columns arrive as normalised text; typing happens after validation, on good rows.

    The pipeline adds `_row` (spreadsheet row number) and `_key` (key columns joined); they
    are not part of the contract, so the models are not strict.
    """

    class Config:
        strict = False
        coerce = False
