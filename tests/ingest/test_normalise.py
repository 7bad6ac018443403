import polars as pl
import pytest

from pipelines.ingest.normalise import clean_text, date_text


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("2024-03-05", "2024-03-05"),
        ("2024/3/5", "2024-03-05"),
        ("2024.3.5", "2024-03-05"),
        ("2024年3月5日", "2024-03-05"),
        ("20240305", "2024-03-05"),
        ("45356", "2024-03-05"),  # Excel serial
        ("2024-03-05 00:00:00", "2024-03-05"),  # an Excel date cell read as text
        ("2024-13-45", "2024-13-45"),  # not a date: kept as written for the report
        ("去年三月", "去年三月"),
    ],
)
def test_date_text(written, canonical):
    assert pl.select(date_text(pl.lit(written))).item() == canonical


def test_clean_text_half_width_and_invisible():
    df = pl.DataFrame({"v": ["\u200bＡＢ１２３\u3000", "  ", None]})
    assert df.select(clean_text("v")).get_column("v").to_list() == ["AB123", None, None]
