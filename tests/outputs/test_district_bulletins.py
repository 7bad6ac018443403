"""Each district's own bulletin, and all of them in one zip: only that district's figures,
townships, items and tasks."""

from __future__ import annotations

import io
import shutil
import zipfile

import pytest
from docx import Document

from pipelines.cli import main
from pipelines.ops import supervision
from pipelines.settings import load_settings

NAMES = {"211202": "银州区", "211204": "清河区", "211221": "铁岭县", "211223": "西丰县",
         "211224": "昌图县", "211281": "调兵山市", "211282": "开原市"}  # fmt: skip


@pytest.fixture(scope="module")
def settings(tmp_path_factory, demo_inbox):
    data = tmp_path_factory.mktemp("district_bulletins") / "data"
    shutil.copytree(demo_inbox, data / "inbox")
    assert main(["--data-dir", str(data), "pipeline", "run"]) == 0
    return load_settings(data, jurisdiction="211200")


def _text(doc: Document) -> str:
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_every_district_in_one_zip_each_with_only_its_own_figures(settings, tmp_path):
    from datetime import date

    item = supervision.open_item(
        settings, "office1", district="211223", programme="mental_rehab",
        indicator="service_coverage", origin="test", as_of=date(2025, 9, 30), snapshot=None,
        figures={"unit": "ratio", "value": 0.41}, action="整改", deadline=settings.current_date(),
        responsible="西丰县残联",
    )  # fmt: skip
    title = supervision.item(settings, item)["title"]
    out = tmp_path / "all.zip"
    assert main(["--data-dir", str(settings.data_dir), "bulletin", "--programme", "mental_rehab",
                 "--period", "2025", "--district", "all", "--out", str(out)]) == 0  # fmt: skip
    with zipfile.ZipFile(out) as z:
        names = sorted(z.namelist())
        assert len(names) == 7
        for code, name in NAMES.items():
            entry = next(n for n in names if n.startswith(code))
            text = _text(Document(io.BytesIO(z.read(entry))))
            assert text.startswith(f"{name}精康融合行动工作进度通报")
            others = [n for c, n in NAMES.items() if c != code]
            assert not [n for n in others if n in text], (name, [n for n in others if n in text])
            assert "乡镇（街道）" in text and "重点任务进展" in text
            assert (title in text) == (code == "211223")
    # The district's headline figure is the marts' own.
    from pipelines.outputs.export import export_frame
    from pipelines.outputs.formatting import value_text

    row = export_frame(settings, "service_coverage", "mental_rehab", 2025, None, "district").filter(
        district_code="211223").row(0, named=True)  # fmt: skip
    with zipfile.ZipFile(out) as z:
        text = _text(
            Document(io.BytesIO(z.read(next(n for n in z.namelist() if n.startswith("211223")))))
        )
    assert f"西丰县服务覆盖率为{value_text(row['value'], 'ratio')}" in text
