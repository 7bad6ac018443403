"""The bulletin as a Word document (GB/T 9704 fonts and page), numbered and archived."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path

import polars as pl
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from pipelines.outputs.bulletin.archive import archived, index_path
from pipelines.outputs.bulletin.chart import chart_png
from pipelines.outputs.bulletin.periods import Period
from pipelines.outputs.formatting import gap_text, status_name, value_text

# GB/T 9704 fonts, with the free fonts a plain machine has as the fallback in the same run.
BODY_FONT, TITLE_FONT, HEADING_FONT = "仿宋_GB2312", "方正小标宋简体", "黑体"

CJK_FALLBACK = "Noto Serif CJK SC"

ALL = "all"


@dataclass(frozen=True)
class Bulletin:
    path: Path
    number: str
    programme: str
    period: Period
    snapshot: str
    ranks: dict[str, int]


@dataclass(frozen=True)
class Section:
    programme: dict  # code, name_zh, source
    indicator: dict  # indicator, name_zh, unit
    rows: pl.DataFrame  # the export rows (districts, then the city)


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
    _fonts(p.add_run(text), font, size, bold)
    return p


def write_document(
    settings, key, sections, period, pointer, jurisdiction, notes, out, issuer, template, today
):
    history = [b for b in archived(settings) if b["programme"] == key]
    previous = history[-1]["ranks"] if history else {}
    number_in_year = sum(b["year"] == period.year for b in history) + 1
    number = f"{period.year}年第{number_in_year}期"
    issuer = issuer or f"{jurisdiction}残疾人康复工作联席会议办公室"
    issued = today or settings.current_date()
    single = key != ALL
    title = (
        f"{sections[0].programme['name_zh']}进度通报"
        if single
        else f"{jurisdiction}残疾人康复工作进度通报"
    )

    doc = Document(str(template)) if template else Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)

    head = _para(doc, title, TITLE_FONT, 26, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    head.runs[0].font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    _para(doc, f"（{number}）", BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _para(doc, f"{issuer}　　　　{issued.year}年{issued.month}月{issued.day}日", BODY_FONT, 14,
          align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)  # fmt: skip
    as_of_text = f"{period.as_of.year}年{period.as_of.month}月{period.as_of.day}日"
    subject = sections[0].programme["name_zh"] if single else "残疾人康复各项"
    _para(doc, f"现将{period.label}{subject}工作进展情况通报如下。")

    numerals = "一二三四五六七八九十"
    ranks: dict = {}
    for i, sec in enumerate(sections):
        heading = (
            "一、各县（市、区）完成情况" if single else f"{numerals[i]}、{sec.programme['name_zh']}"
        )
        before = previous if single else previous.get(sec.programme["code"], {})
        sec_ranks = _programme_section(doc, sec, period, as_of_text, heading, before)
        if single:
            ranks = sec_ranks
        else:
            ranks[sec.programme["code"]] = sec_ranks

    n = 1 if single else len(sections)
    _para(doc, f"{numerals[n]}、需要关注的问题", HEADING_FONT, 16, indent=False)
    if notes.is_empty():
        _para(doc, "本期无需要提醒的事项。")
    for i, note in enumerate(notes.iter_rows(named=True), start=1):
        _para(doc, f"{i}. {note['message_zh']}。", size=14)
    _para(doc, f"{numerals[n + 1]}、下一步工作要求", HEADING_FONT, 16, indent=False)
    _para(doc, "（此处由联席会议办公室填写下一步工作要求。）")
    sources = "；".join(dict.fromkeys(sec.programme["source"] for sec in sections))
    _para(doc, f"依据：{sources}。数据截至{as_of_text}。", size=12)

    folder = settings.data_dir / "bulletins"
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / f"{key}_{period.year}_{number_in_year:02d}.docx"
    doc.save(str(archive))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(archive.read_bytes())
    entry = {
        "programme": key, "year": period.year, "number": number, "period": period.label,
        "as_of": period.as_of.isoformat(), "file": archive.name, "snapshot": pointer["snapshot"],
        "snapshot_run": pointer["run_id"], "created_at": datetime.now().isoformat(timespec="seconds"),
        "ranks": ranks,
    }  # fmt: skip
    with index_path(settings).open("a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return Bulletin(archive, number, key, period, pointer["snapshot"], ranks)


def _programme_section(
    doc, sec: Section, period: Period, as_of_text: str, heading: str, previous: dict
) -> dict:
    """Narrative, ranking table and chart of one programme; returns the districts' ranks."""
    unit, name = sec.indicator["unit"], sec.indicator["name_zh"]
    city = sec.rows.filter(pl.col("district_code") == "city").row(0, named=True)
    districts = sec.rows.filter(pl.col("district_code") != "city").sort(
        pl.col("value").fill_null(-1), descending=True
    )
    ranks = {
        code: i for i, code in enumerate(districts.get_column("district_code").to_list(), start=1)
    }
    value, target = value_text(city["value"], unit), value_text(city["target"], unit)
    if city["target"] is None:
        progress = "本年度尚未设定目标"
    elif city["value"] is not None and city["value"] >= city["target"]:
        progress = f"已完成年度目标{target}"
    elif unit == "ratio":
        progress = f"距年度目标{target}差{abs(city['gap']):.1f}个百分点，序时进度为{value_text(city['expected'], unit)}"
    else:
        progress = f"距年度目标{target}差{abs(city['gap']):,.0f}人，序时进度为{value_text(city['expected'], unit)}"
    needed = f"，尚需服务{city['persons_needed']:,}人" if city["persons_needed"] else ""
    _para(doc, heading, HEADING_FONT, 16, indent=False)
    _para(
        doc,
        f"截至{as_of_text}，全市{name}为{value}，{progress}{needed}，总体进度{status_name(city['status'])}。",
    )
    named = {
        s: districts.filter(pl.col("status") == s).get_column("district_name").to_list()
        for s in ("met", "behind", "lagging")
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
    _para(doc, "；".join(summary) + "。各县（市、区）排名情况见下表（▲▼为较上期名次变化）。")

    table = doc.add_table(rows=1, cols=9)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = ["名次", "名次变化", "县（市、区）", "应服务人数", "已服务人数", "完成值", "目标",
              "差距（百分点）" if unit == "ratio" else "差距（人）", "状态"]  # fmt: skip
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        _fonts(cell.paragraphs[0].add_run(text), HEADING_FONT, 10.5)
    for r in districts.iter_rows(named=True):
        rank, before = ranks[r["district_code"]], previous.get(r["district_code"])
        if before is None:
            change = "—"
        elif before == rank:
            change = "持平"
        else:
            change = f"▲{before - rank}" if before > rank else f"▼{rank - before}"
        cells = [str(rank), change, r["district_name"], "—" if r["denominator"] is None else f"{r['denominator']:,}",
                 f"{r['numerator']:,}", value_text(r["value"], unit), value_text(r["target"], unit), gap_text(r["gap"], unit),
                 status_name(r["status"])]  # fmt: skip
        for cell, text in zip(table.add_row().cells, cells, strict=True):
            cell.text = ""
            run = cell.paragraphs[0].add_run(text)
            _fonts(run, BODY_FONT, 10.5, bold=r["status"] in ("lagging", "behind"))
            if r["status"] in ("lagging", "behind"):
                run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    totals = ["", "", "全市", "—" if city["denominator"] is None else f"{city['denominator']:,}",
              f"{city['numerator']:,}", value, target, gap_text(city["gap"], unit), status_name(city["status"])]  # fmt: skip
    for cell, text in zip(table.add_row().cells, totals, strict=True):
        cell.text = ""
        _fonts(cell.paragraphs[0].add_run(text), HEADING_FONT, 10.5)
    doc.add_paragraph()
    doc.add_picture(
        BytesIO(chart_png(districts, f"{period.label}各县（市、区）{name}", unit)), width=Mm(150)
    )
    return ranks
