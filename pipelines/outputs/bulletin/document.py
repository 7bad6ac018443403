"""The bulletin as a Word document, laid out after GB/T 9704 as far as free fonts allow: A4
with its margins, 仿宋 三号 body on a 28 pt line, a red 版头 (title, 期号, issuing body and
date over a red rule), page numbers "— 1 —" at the foot, tables whose header row repeats and
whose rows never split, and a 版记 (抄送, 印发) at the end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path

import polars as pl
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from pipelines.outputs.bulletin.chart import chart_png
from pipelines.outputs.bulletin.loop import Loop, item_line, task_line
from pipelines.outputs.bulletin.periods import Period
from pipelines.outputs.formatting import competition_rank, gap_text, status_name, value_text

# GB/T 9704 fonts; a machine without them shows its CJK fallback (Noto) in the same runs.
BODY_FONT, TITLE_FONT, HEADING_FONT, PAGE_FONT = "仿宋_GB2312", "方正小标宋简体", "黑体", "宋体"
RED = RGBColor(0xC0, 0x00, 0x00)
NUMERALS = "一二三四五六七八九十"
ALL = "all"
NO_DATA = "暂无数据"
# The ranking table: column title and width (mm), 156 mm being the A4 type area, with 1 mm
# cell margins: 五号 text of a rank, a change (▲12), a percentage (100.0%), a count (12,345) and
# a status (严重滞后) each fit on one line; only very long district names and the header wrap.
COLUMNS = (("名次", 11), ("变化", 12), ("县（市、区）", 30), ("应服务人数", 18), ("已服务人数", 18),
           ("完成值", 18), ("目标", 17), ("差距", 15), ("状态", 17))  # fmt: skip
CELL_MARGIN_MM = 1


@dataclass(frozen=True)
class Bulletin:
    path: Path
    number: str
    programme: str
    period: Period
    snapshot: str
    ranks: dict


@dataclass(frozen=True)
class Section:
    programme: dict  # code, name_zh, source
    indicator: dict  # indicator, name_zh, unit
    rows: pl.DataFrame  # the export rows (districts, then the city)

    @property
    def city(self) -> dict | None:
        city = self.rows.filter(pl.col("district_code") == "city")
        return city.row(0, named=True) if city.height else None

    @property
    def has_data(self) -> bool:
        city = self.city
        return (
            city is not None
            and city["status"] != "no_data"
            and bool(city["numerator"] or city["denominator"])
        )


@dataclass(frozen=True)
class Heading:
    """What the 版头 and 版记 say."""

    title: str
    number: str  # 2025年第1期
    issuer: str
    issued: date
    copy_to: str


def _fonts(run, font: str = BODY_FONT, size: float = 16, bold: bool = False) -> None:
    """Set the Latin and the East Asian font on a run (Word and WPS read w:eastAsia)."""
    run.font.name = font
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), font)


def _para(doc, text: str, font: str = BODY_FONT, size: float = 16, bold: bool = False,
          align=None, indent: bool = True):  # fmt: skip
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    p.paragraph_format.line_spacing = Pt(28)
    p.paragraph_format.space_after = Pt(0)
    _fonts(p.add_run(text), font, size, bold)
    return p


def _rule(paragraph, colour: str = "C00000", where: str = "bottom", size: int = 12) -> None:
    """A horizontal rule along the paragraph (the 版头's red line, the 版记's lines)."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    line = OxmlElement(f"w:{where}")
    for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"),
                       ("w:color", colour)):  # fmt: skip
        line.set(qn(key), value)
    borders.append(line)


def _page_numbers(section) -> None:
    """ "— 1 —" centred at the foot of every page (宋体 四号), from Word's PAGE field."""
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(footer.add_run("— "), PAGE_FONT, 14)
    run = footer.add_run()
    _fonts(run, PAGE_FONT, 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    _fonts(footer.add_run(" —"), PAGE_FONT, 14)


def _row_props(row, header: bool = False, keep_with_next: bool = False) -> None:
    """A table row that never splits across pages; the header row repeats on every page."""
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))
    if keep_with_next:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True


def _cell(cell, text: str, width: float, font: str = BODY_FONT, bold: bool = False,
          red: bool = False, align=WD_ALIGN_PARAGRAPH.CENTER) -> None:  # fmt: skip
    cell.width = Mm(width)
    cell.text = ""
    p = cell.paragraphs[0]
    p.alignment = align
    run = p.add_run(text)
    _fonts(run, font, 10.5, bold)
    if red:
        run.font.color.rgb = RED


def _fixed_widths(table, columns: tuple = COLUMNS) -> None:
    """Fixed column widths (Word and LibreOffice otherwise autofit and wrap names)."""
    tblpr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(int(CELL_MARGIN_MM * 56.7)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    tblpr.append(margins)
    grid = table._tbl.tblGrid
    for col, (_, width) in zip(grid.findall(qn("w:gridCol")), columns, strict=True):
        col.set(qn("w:w"), str(int(width * 56.7)))  # twentieths of a point per mm


def write_document(
    path: Path,
    heading: Heading,
    sections: list[Section],
    period: Period,
    notes: list[str],
    previous: dict,
    single: bool,
    template: Path | None = None,
    loop: Loop | None = None,
) -> dict:
    """Write the bulletin to `path` (`single`: one programme's, else all programmes'); returns
    the districts' ranks (per programme for all)."""
    doc = Document(str(template)) if template else Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    _page_numbers(section)

    # 版头: title in red, the issue number, then issuing body and date over a red rule.
    head = _para(doc, heading.title, TITLE_FONT, 26, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    head.runs[0].font.color.rgb = RED
    _para(
        doc, f"（{heading.number}）", BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
    )
    issued = f"{heading.issued.year}年{heading.issued.month}月{heading.issued.day}日"
    line = _para(doc, f"{heading.issuer}　　　　{issued}", BODY_FONT, 14,
                 align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)  # fmt: skip
    _rule(line, size=18)
    as_of = f"{period.as_of.year}年{period.as_of.month}月{period.as_of.day}日"
    subject = sections[0].programme["name_zh"] if single else "残疾人康复各项"
    _para(doc, f"现将{period.label}{subject}工作进展情况通报如下（数据截至{as_of}）。")

    ranks: dict = {}
    for i, sec in enumerate(sections):
        title = (
            "一、各县（市、区）完成情况" if single else f"{NUMERALS[i]}、{sec.programme['name_zh']}"
        )
        before = previous if single else previous.get(sec.programme["code"], {})
        sec_ranks = _programme_section(doc, sec, period, as_of, title, before)
        if single:
            ranks = sec_ranks
        else:
            ranks[sec.programme["code"]] = sec_ranks

    n = 1 if single else len(sections)
    _para(doc, f"{NUMERALS[n]}、需要关注的问题", HEADING_FONT, 16, indent=False)
    if not notes:
        _para(doc, "本期无需要提醒的事项。")
    for i, note in enumerate(notes, start=1):
        _para(doc, f"{i}. {note}。", size=14)
    if loop is not None:
        n = loop_sections(doc, loop, n + 1, single_district=False) - 1
    _para(doc, f"{NUMERALS[n + 1]}、下一步工作要求", HEADING_FONT, 16, indent=False)
    _para(doc, "（此处由联席会议办公室填写下一步工作要求。）")
    sources = "；".join(dict.fromkeys(sec.programme["source"] for sec in sections))
    _para(doc, f"依据：{sources}。", size=12)

    # 版记: 抄送 and 印发 between rules at the end of the document.
    doc.add_paragraph()
    copy = _para(doc, f"抄送：{heading.copy_to}。", BODY_FONT, 14, indent=False)
    _rule(copy, "000000", "top", 8)
    printed = _para(doc, f"{heading.issuer}　　　　{issued}印发", BODY_FONT, 14, indent=False)
    _rule(printed, "000000", "top", 4)
    _rule(printed, "000000", "bottom", 8)

    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return ranks


def _progress_sentence(city: dict, unit: str) -> str:
    """How far the city is from its target, worded for a share or a count."""
    target = value_text(city["target"], unit)
    expected = value_text(city["expected"], unit)
    if city["target"] is None:
        return "本年度尚未设定目标"
    if city["value"] is not None and city["value"] >= city["target"]:
        return f"已完成年度目标{target}"
    if unit == "ratio":
        return f"距年度目标{target}差{abs(city['gap']):.1f}个百分点，序时进度应达{expected}"
    return f"距年度目标{target}人差{abs(city['gap']):,.0f}人，序时进度应达{expected}人"


def _programme_section(
    doc, sec: Section, period: Period, as_of: str, heading: str, previous: dict
) -> dict:
    """Narrative, ranking table and chart of one programme; returns the districts' ranks.
    A programme without data says so."""
    unit, name = sec.indicator["unit"], sec.indicator["name_zh"]
    _para(doc, heading, HEADING_FONT, 16, indent=False)
    if not sec.has_data:
        _para(
            doc,
            f"截至{as_of}，{sec.programme['name_zh']}{NO_DATA}（各县（市、区）尚未报送相关记录）。",
        )
        return {}
    city = sec.city
    districts = sec.rows.filter(pl.col("district_code") != "city").sort(
        pl.col("value").fill_null(-1), "district_code", descending=[True, False]
    )
    rank_list = districts.select(competition_rank(pl.col("value"))).to_series().to_list()
    ranks = dict(zip(districts.get_column("district_code").to_list(), rank_list, strict=True))
    needed = f"，尚需服务{city['persons_needed']:,}人" if city["persons_needed"] else ""
    _para(
        doc,
        f"截至{as_of}，全市{name}为{value_text(city['value'], unit)}"
        f"{'人' if unit != 'ratio' else ''}，{_progress_sentence(city, unit)}{needed}，"
        f"总体进度{status_name(city['status'])}。"
        + (
            "（该年度法定节假日安排尚未发布，工作日按周一至周五计算。）"
            if city.get("calendar_fallback")
            else ""
        ),
    )
    named = {
        s: districts.filter(pl.col("status") == s).get_column("district_name").to_list()
        for s in ("met", "behind", "lagging", "no_data")
    }
    summary = [
        f"{'、'.join(named['met'])}已完成年度目标"
        if named["met"]
        else "尚无县（市、区）完成年度目标"
    ]
    if named["behind"]:
        summary.append(f"{'、'.join(named['behind'])}进度严重滞后")
    if named["lagging"]:
        summary.append(f"{'、'.join(named['lagging'])}进度滞后")
    if named["no_data"]:
        summary.append(f"{'、'.join(named['no_data'])}{NO_DATA}")
    _para(
        doc,
        "；".join(summary)
        + "。各县（市、区）排名情况见下表（▲▼为较上期名次变化，数值相同者名次并列）。",
    )

    table = doc.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _fixed_widths(table)
    titles = [c[0] if c[0] != "差距" else ("差距（百分点）" if unit == "ratio" else "差距（人）")
              for c in COLUMNS]  # fmt: skip
    for cell, text, (_, width) in zip(table.rows[0].cells, titles, COLUMNS, strict=True):
        _cell(cell, text, width, HEADING_FONT)
    _row_props(table.rows[0], header=True)
    rows = list(districts.iter_rows(named=True))
    for k, r in enumerate(rows):
        rank, before = ranks[r["district_code"]], previous.get(r["district_code"])
        if before is None:
            change = "—"
        elif before == rank:
            change = "持平"
        else:
            change = f"▲{before - rank}" if before > rank else f"▼{rank - before}"
        late = r["status"] in ("lagging", "behind")
        cells = [str(rank), change, r["district_name"], value_text(r["denominator"], "count"),
                 value_text(r["numerator"], "count"), value_text(r["value"], unit), value_text(r["target"], unit),
                 gap_text(r["gap"], unit), status_name(r["status"])]  # fmt: skip
        row = table.add_row()
        for cell, text, (_, width) in zip(row.cells, cells, COLUMNS, strict=True):
            _cell(cell, text, width, bold=late, red=late)
        # The last district keeps with the 全市 row below it.
        _row_props(row, keep_with_next=k == len(rows) - 1)
    totals = ["", "", "全市", value_text(city["denominator"], "count"), value_text(city["numerator"], "count"),
              value_text(city["value"], unit), value_text(city["target"], unit),
              gap_text(city["gap"], unit), status_name(city["status"])]  # fmt: skip
    row = table.add_row()
    for cell, text, (_, width) in zip(row.cells, totals, COLUMNS, strict=True):
        _cell(cell, text, width, HEADING_FONT)
    _row_props(row)
    doc.add_paragraph()
    chart = chart_png(districts, f"{period.label}各县（市、区）{name}", unit, city["target"])
    doc.add_picture(BytesIO(chart), width=Mm(150))
    return ranks


# The 督办 table: column title and width (mm).
LOOP_COLUMNS = (
    ("县（市、区）", 44),
    ("新开具", 28),
    ("已报送整改", 28),
    ("已销号", 28),
    ("逾期未整改", 28),
)


def loop_sections(doc, loop: Loop, number: int, single_district: bool) -> int:
    """The sections "督办事项" and "重点任务进展" numbered from `number`; returns the next
    number."""
    window = f"{loop.start.month}月{loop.start.day}日至{loop.end.month}月{loop.end.day}日"
    # A heading never ends a page: it keeps with the paragraph after it.
    _para(
        doc, f"{NUMERALS[number]}、督办事项", HEADING_FONT, 16, indent=False
    ).paragraph_format.keep_with_next = True
    totals = {
        k: sum(c[k] for c in loop.counts.values())
        for k in ("opened", "answered", "closed", "overdue")
    }
    _para(doc, f"{window}，新开具督办单{totals['opened']}件，报送整改情况{totals['answered']}件，"
               f"销号{totals['closed']}件，逾期未整改{totals['overdue']}件。")  # fmt: skip
    if not single_district and any(any(c.values()) for c in loop.counts.values()):
        table = doc.add_table(rows=1, cols=len(LOOP_COLUMNS))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _fixed_widths(table, LOOP_COLUMNS)
        for cell, (title, width) in zip(table.rows[0].cells, LOOP_COLUMNS, strict=True):
            _cell(cell, title, width, HEADING_FONT)
        _row_props(table.rows[0], header=True)
        for code, name in loop.districts.items():
            c = loop.counts[code]
            if not any(c.values()):
                continue
            row = table.add_row()
            texts = [
                name,
                str(c["opened"]),
                str(c["answered"]),
                str(c["closed"]),
                str(c["overdue"]),
            ]
            for cell, text, (_, width) in zip(row.cells, texts, LOOP_COLUMNS, strict=True):
                _cell(cell, text, width, red=bool(c["overdue"]) and text == str(c["overdue"]))
            _row_props(row)
        doc.add_paragraph()
    for i, item in enumerate(loop.items, start=1):
        _para(doc, f"{i}. {item_line(item)}。", size=14)
    number += 1
    if loop.tasks:
        _para(doc, f"{NUMERALS[number]}、重点任务进展", HEADING_FONT, 16,
              indent=False).paragraph_format.keep_with_next = True  # fmt: skip
        late = sum(bool(t["late"]) for t in loop.tasks)
        _para(
            doc,
            f"本期到期或已逾期的重点任务{len(loop.tasks)}项，其中{late}项有县（市、区）逾期未完成。",
        )
        programme = None
        for task in loop.tasks:
            if task["programme_name"] != programme:
                programme = task["programme_name"]
                _para(doc, f"{programme}：", size=14, bold=True)
            _para(doc, task_line(task, single_district) + "。", size=14)
        number += 1
    return number
