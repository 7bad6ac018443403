"""Progress bulletins (进度通报, §6): a numbered Word document the joint-meeting office can edit
and issue, built from the published snapshot and archived with the snapshot it came from."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pipelines.outputs.bulletin.archive import archived
from pipelines.outputs.bulletin.document import ALL, Bulletin, Section, write_document
from pipelines.outputs.bulletin.periods import Period, parse_period
from pipelines.outputs.export import export_frame
from pipelines.settings import Settings
from pipelines.warehouse import snapshots
from pipelines.warehouse.db import frame

__all__ = ["ALL", "Bulletin", "Period", "archived", "build", "parse_period"]


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
            con, "select code, name_zh, source from ref_programmes order by position"
        ).to_dicts()
        if programme != ALL:
            programmes = [p for p in programmes if p["code"] == programme]
            if not programmes:
                raise ValueError(f"未知项目 / unknown programme {programme!r}")
        headline = {
            p["code"]: frame(
                con,
                "select pi.indicator, i.name_zh, i.unit from ref_programme_indicators pi "
                "join ref_indicators i on i.code = pi.indicator "
                "where pi.programme = ? and pi.headline",
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
        Section(
            p,
            headline[p["code"]],
            export_frame(
                settings, headline[p["code"]]["indicator"], p["code"], period.year, period.as_of
            ),
        )
        for p in programmes
    ]
    return write_document(
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
