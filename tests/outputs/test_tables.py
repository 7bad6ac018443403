import fastexcel
import polars as pl

from pipelines.outputs.tables import write_table


def test_csv_has_bom_and_neutralises_formulas(tmp_path):
    df = pl.DataFrame({"code": ["211202", "=1+1", "-5", "@x"], "n": [1, 2, 3, 4]})
    path = write_table(df, "csv", tmp_path / "a.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "'=1+1" in text and "'-5" in text and "'@x" in text and "\n211202," in text


def test_xlsx_keeps_codes_as_text(tmp_path):
    df = pl.DataFrame({"district_code": ["011202", "=cmd"], "value": [0.5, 0.25]})
    path = write_table(df, "xlsx", tmp_path / "a.xlsx")
    back = fastexcel.read_excel(path).load_sheet(0).to_polars()
    assert back.get_column("district_code").to_list() == ["011202", "'=cmd"]
    assert back.get_column("value").to_list() == [0.5, 0.25]
