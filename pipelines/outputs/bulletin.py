"""Progress bulletins (进度通报, §6): a numbered Word document the joint-meeting office can edit
and issue, built from the published snapshot and archived with the snapshot it came from."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import polars as pl
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from pipelines.outputs.export import export_frame
from pipelines.settings import Settings
from pipelines.warehouse import snapshots
from pipelines.warehouse.db import frame

STATUS_ZH = {"met": "达标", "on_track": "正常", "lagging": "滞后", "behind": "严重滞后",
             "no_target": "未设目标", "no_data": "无数据"}  # fmt: skip
# GB/T 9704 fonts, with the free fonts a plain machine has as the fallback in the same run.
BODY_FONT, TITLE_FONT, HEADING_FONT = "仿宋_GB2312", "方正小标宋简体", "黑体"
CJK_FALLBACK = "Noto Serif CJK SC"


@dataclass(frozen=True)
class Period:
    year: int
    as_of: date
    label: str  # 2025年第三季度, 2025年9月, 2025年1-9月


def parse_period(text: str, published: date) -> Period:
    """'2025-Q3', '2025-09' or '2025' (year to date), capped at the published as-of date."""
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        year, q = int(m[1]), int(m[2])
        end = date(year, 3 * q, 31 if 3 * q in (3, 12) else 30)
        label = f"{year}年第{'一二三四'[q - 1]}季度"
    elif m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        year, month = int(m[1]), int(m[2])
        end = date(year + month // 12, month % 12 + 1, 1) - (date(2000, 1, 2) - date(2000, 1, 1))
        label = f"{year}年{month}月"
    elif m := re.fullmatch(r"(\d{4})(-YTD)?", text):
        year = int(m[1])
        end = date(year, 12, 31)
        label = f"{year}年1-{min(end, published).month}月"
    else:
        raise ValueError(
            f"期间应为 2025-Q3、2025-09 或 2025 / period must look like 2025-Q3, 2025-09 or 2025: {text!r}"
        )
    as_of = min(end, published)
    if as_of < date(year, 1, 1):
        raise ValueError(f"{text}: 尚无该期间的数据 / no data for this period yet")
    return Period(year, as_of, label)


@dataclass(frozen=True)
class Bulletin:
    path: Path
    number: str
    programme: str
    period: Period
    snapshot: str
    ranks: dict[str, int]


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


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def _fmt(v, unit: str) -> str:
    return _pct(v) if unit == "ratio" else ("—" if v is None else f"{v:,.0f}")


def _archive_index(settings: Settings) -> Path:
    return settings.data_dir / "bulletins" / "index.jsonl"


def archived(settings: Settings) -> list[dict]:
    """Every issued bulletin, oldest first."""
    path = _archive_index(settings)
    if not path.exists():
        return []
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def chart_png(rows: pl.DataFrame, title: str, unit: str) -> bytes:
    """A bar chart of the districts (matplotlib with the CJK font the setup installs)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    family = next(
        (
            f
            for f in ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "SimHei")
            if f in names
        ),
        None,
    )
    if family is None:
        raise RuntimeError(
            "没有中文字体，请安装 fonts-noto-cjk / no CJK font: install fonts-noto-cjk"
        )
    scale = 100 if unit == "ratio" else 1
    with plt.rc_context({"font.family": family, "axes.unicode_minus": False}):
        fig, ax = plt.subplots(figsize=(7.2, 3.6), dpi=150)
        values = [0 if v is None else v * scale for v in rows.get_column("value").to_list()]
        colours = {
            "met": "#2e7d32",
            "on_track": "#1565c0",
            "lagging": "#f9a825",
            "behind": "#c62828",
        }
        ax.bar(rows.get_column("district_name").to_list(), values,
               color=[colours.get(s, "#9e9e9e") for s in rows.get_column("status").to_list()])  # fmt: skip
        targets = [v for v in rows.get_column("target").to_list() if v is not None]
        if targets:
            ax.axhline(max(targets) * scale, color="#c62828", linestyle="--", linewidth=1)
            ax.text(len(values) - 0.5, max(targets) * scale, f"年度目标 {_fmt(max(targets), unit)}",
                    ha="right", va="bottom", fontsize=9, color="#c62828")  # fmt: skip
        for i, v in enumerate(values):
            ax.text(
                i,
                v,
                f"{v:.1f}%" if unit == "ratio" else f"{v:,.0f}",
                ha="center",
                va="bottom",
                fontsize=8,
            )
        ax.set_title(title, fontsize=11)
        ax.spines[["top", "right"]].set_visible(False)
        plt.xticks(rotation=30 if len(values) > 8 else 0, fontsize=8)
        fig.tight_layout()
        buf = BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
    return buf.getvalue()


ALL = "all"


@dataclass(frozen=True)
class _Section:
    programme: dict  # code, name_zh, source
    indicator: dict  # indicator, name_zh, unit
    rows: pl.DataFrame  # the export rows (districts, then the city)


def build(
    settings: Settings,
    programme: str,
    period_text: str,
    out: Path | None = None,
    issuer: str | None = None,
    template: Path | None = None,
    today: date | None = None,
) -> Bulletin:
    """Write the bulletin for one programme or for all (`programme="all"`), archive it."""
    pointer = snapshots.published(settings)
    if pointer is None:
        raise FileNotFoundError("尚未发布任何数据 / nothing published yet")
    con = snapshots.connect_published(settings)
    try:
        published = con.execute("select as_of from mart_meta").fetchall()[0][0]
        period = parse_period(period_text, published)
        programmes = frame(
            con, "select code, name_zh, source from ref_programmes order by rowid"
        ).to_dicts()
        if programme != ALL:
            programmes = [p for p in programmes if p["code"] == programme]
            if not programmes:
                raise ValueError(f"未知项目 / unknown programme {programme!r}")
        headline = {
            p["code"]: frame(
                con,
                "select pi.indicator, i.name_zh, i.unit from ref_programme_indicators pi "
                "join ref_indicators i on i.code = pi.indicator where pi.programme = ?",
                [p["code"]],
            ).row(0, named=True)
            for p in programmes
        }
        jurisdiction = con.execute("select name from ref_jurisdiction").fetchall()[0][0]
        codes = [p["code"] for p in programmes]
        notes = frame(
            con,
            "select rule, message_zh from notifications where status = 'open' and rule <> 'target_met' "
            "and (programme is null or list_contains(?, programme)) order by programme, rule, district_code",
            [codes],
        )
    finally:
        con.close()
    sections = [
        _Section(
            p,
            headline[p["code"]],
            export_frame(
                settings, headline[p["code"]]["indicator"], p["code"], period.year, period.as_of
            ),
        )
        for p in programmes
    ]
    return _write(
        settings,
        programme,
        sections,
        period,
        pointer,
        jurisdiction,
        notes,
        out,
        issuer,
        template,
        today,
    )


def _write(
    settings, key, sections, period, pointer, jurisdiction, notes, out, issuer, template, today
):
    history = [b for b in archived(settings) if b["programme"] == key]
    previous = history[-1]["ranks"] if history else {}
    number_in_year = sum(b["year"] == period.year for b in history) + 1
    number = f"{period.year}年第{number_in_year}期"
    issuer = issuer or f"{jurisdiction}残疾人康复工作联席会议办公室"
    issued = today or date.today()
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
    with _archive_index(settings).open("a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return Bulletin(archive, number, key, period, pointer["snapshot"], ranks)


def _gap(gap: float | None, unit: str) -> str:
    return "—" if gap is None else (f"{gap:+.1f}" if unit == "ratio" else f"{gap:+,.0f}")


def _programme_section(
    doc, sec: _Section, period: Period, as_of_text: str, heading: str, previous: dict
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
    value, target = _fmt(city["value"], unit), _fmt(city["target"], unit)
    if city["target"] is None:
        gap_text = "本年度尚未设定目标"
    elif city["value"] is not None and city["value"] >= city["target"]:
        gap_text = f"已完成年度目标{target}"
    elif unit == "ratio":
        gap_text = f"距年度目标{target}差{abs(city['gap']):.1f}个百分点，序时进度为{_fmt(city['expected'], unit)}"
    else:
        gap_text = f"距年度目标{target}差{abs(city['gap']):,.0f}人，序时进度为{_fmt(city['expected'], unit)}"
    needed = f"，尚需服务{city['persons_needed']:,}人" if city["persons_needed"] else ""
    _para(doc, heading, HEADING_FONT, 16, indent=False)
    _para(
        doc,
        f"截至{as_of_text}，全市{name}为{value}，{gap_text}{needed}，总体进度{STATUS_ZH[city['status']]}。",
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
                 f"{r['numerator']:,}", _fmt(r["value"], unit), _fmt(r["target"], unit), _gap(r["gap"], unit),
                 STATUS_ZH[r["status"]]]  # fmt: skip
        for cell, text in zip(table.add_row().cells, cells, strict=True):
            cell.text = ""
            run = cell.paragraphs[0].add_run(text)
            _fonts(run, BODY_FONT, 10.5, bold=r["status"] in ("lagging", "behind"))
            if r["status"] in ("lagging", "behind"):
                run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    totals = ["", "", "全市", "—" if city["denominator"] is None else f"{city['denominator']:,}",
              f"{city['numerator']:,}", value, target, _gap(city["gap"], unit), STATUS_ZH[city["status"]]]  # fmt: skip
    for cell, text in zip(table.add_row().cells, totals, strict=True):
        cell.text = ""
        _fonts(cell.paragraphs[0].add_run(text), HEADING_FONT, 10.5)
    doc.add_paragraph()
    doc.add_picture(
        BytesIO(chart_png(districts, f"{period.label}各县（市、区）{name}", unit)), width=Mm(150)
    )
    return ranks
