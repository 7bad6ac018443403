"""Excel templates districts fill in: one per dataset, Chinese headers, a hint row with the
allowed values above the header and one example row below it.

The loader finds the header by its names, so the title and hint rows above it are skipped, and
the example row (its first cell starts with 示例) is dropped like a footer row: a template sent
back with its example still in place loads only the district's own rows.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from pipelines.indicators.reference import Reference
from pipelines.indicators.regions import jurisdiction
from pipelines.settings import Settings
from schemas.contract import DATASETS, Column
from schemas.vocab import CATEGORY_VALUES, GENDER_VALUES, LEVEL_VALUES, POVERTY_VALUES

_HINTS = {
    "date": ("日期，如 2025-03-15", "2025-03-15"),
    "yes_no": ("是 / 否", "是"),
    "int": ("整数", "2025"),
    "number": ("数字", "6"),
    "id_number": ("18位身份证号（15位旧号亦可）", "2112021990010100X"),
    "certificate_no": ("残疾人证号（身份证号+残疾类别等级）", "21120219900101000X62"),
    "name": ("姓名", "王*明"),
    "district_code": ("6位区县代码", None),
    "district": ("区县名称", None),
    "category": ("、".join(sorted(CATEGORY_VALUES)), "精神"),
    "level": (" / ".join(sorted(LEVEL_VALUES)) + "（级）", "2"),
    "gender": (" / ".join(sorted(GENDER_VALUES)), "男"),
    "poverty": (" / ".join(sorted(POVERTY_VALUES)), "低保"),
    "list": ("多个用；分隔", None),
    "text": ("文本", None),
}


def template_name(dataset: str) -> str:
    return f"{DATASETS[dataset].label_zh}_报送模板.xlsx"


def _hint_and_example(settings: Settings, column: Column, first_column: bool) -> tuple[str, str]:
    hint, example = _HINTS.get(column.kind, ("文本", None))
    units = jurisdiction(settings.jurisdiction).units
    if column.kind == "district_code":
        example = units[0].code
        hint = f"{hint}，如 {units[0].code}（{units[0].name}）"
    elif column.kind == "district":
        example = units[0].name
        names = "、".join(u.name for u in units[:8]) + ("等" if len(units) > 8 else "")
        hint = f"{hint}：{names}"
    elif column.kind in ("programme", "list"):
        names = [p.name_zh for p in Reference(settings).programmes.values()]
        hint = "、".join(names) + ("（多个用；分隔）" if column.kind == "list" else "")
        example = names[0]
    if first_column:
        example = "示例-0001"
    if column.required:
        hint = f"必填。{hint}"
    return hint, example or f"（{column.label_zh}）"


def write_template(settings: Settings, dataset: str, out: Path) -> Path:
    """Write the template of `dataset` (cases, services, institutions, staff) to `out`."""
    spec = DATASETS[dataset]
    out.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(out))
    sheet = book.add_worksheet(spec.label_zh)
    title = book.add_format({"bold": True, "font_size": 14, "font_name": "宋体"})
    hint = book.add_format({"italic": True, "font_color": "#555555", "text_wrap": True,
                            "valign": "top", "bg_color": "#FFF8E1", "font_size": 9})  # fmt: skip
    header = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1, "text_wrap": True})
    example = book.add_format({"font_color": "#8B1A1A", "num_format": "@"})
    text = book.add_format({"num_format": "@"})
    sheet.write(
        0,
        0,
        f"{spec.label_zh}报送模板（第2行为填写说明，第4行为示例，可删除；请勿修改第3行表头）",
        title,
    )
    for i, column in enumerate(spec.columns):
        h, e = _hint_and_example(settings, column, i == 0)
        sheet.write_string(1, i, h, hint)
        sheet.write_string(2, i, column.label_zh, header)
        sheet.write_string(3, i, e, example)
        # Codes and ID numbers stay text (Excel would turn them into numbers and lose digits).
        sheet.set_column(i, i, max(12, len(column.label_zh) * 2 + 4), text)
    sheet.set_row(1, 48)
    sheet.freeze_panes(3, 0)
    book.close()
    return out
