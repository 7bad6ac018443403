"""Help where the number is: an indicator's definition (numerator, denominator), what 序时进度
(the expected value by now) means, the status rule, and the source document with its target,
from the reference files, in the screen's language. Shown on hover (the `title` of an ⓘ
after the indicator's name) on the overview cards, the district page and the scorecard."""

from __future__ import annotations

from dash import html

from dashboards.i18n import name, t
from pipelines.outputs.formatting import value_text


def _parts(definition: str) -> tuple[str, str | None, str | None]:
    """(numerator, denominator, note) of a definition written 'A÷B（note）'; a count has no
    denominator."""
    note = None
    for opening, closing in (("（", "）"), (" (", ")")):
        if definition.endswith(closing) and opening in definition:
            definition, note = (
                definition[: definition.rindex(opening)],
                definition[definition.rindex(opening) + len(opening) : -len(closing)],
            )
            break
    if "÷" not in definition:
        return definition.strip(), None, note
    numerator, denominator = definition.split("÷", 1)
    return numerator.strip(), denominator.strip(), note


def indicator_help(
    indicator: dict,
    lang: str,
    *,
    programme: dict | None = None,
    row: dict | None = None,
    lagging_points: float | None = None,
) -> str:
    """The help text of an indicator, with the figures of `row` (a mart row) when given."""
    definition = indicator.get(f"definition_{lang}") or indicator.get("definition_zh") or ""
    numerator, denominator, note = _parts(definition)
    lines = [name(indicator, lang)]
    if denominator is None:
        lines.append(t("help.count", lang, what=numerator))
    else:
        lines += [t("help.numerator", lang, what=numerator),
                  t("help.denominator", lang, what=denominator)]  # fmt: skip
    if note:
        lines.append(t("help.note", lang, what=note))
    lines.append(t("help.expected", lang))
    if lagging_points is not None:
        lines.append(t("help.status", lang, p=f"{lagging_points:g}"))
    if row is not None and row.get("target") is not None:
        unit = row["unit"]
        target = t("help.target", lang, year=row["year"], value=value_text(row["target"], unit))
        if row.get("target_carried"):
            target += t("help.carried", lang, year=row["target_year"])
        lines.append(target)
        if row.get("expected") is not None:
            lines.append(t("help.expected_now", lang, as_of=str(row["as_of"]),
                           value=value_text(row["expected"], unit)))  # fmt: skip
    source = (row or {}).get("target_source") or (programme or {}).get("source")
    if source:
        lines.append(t("help.source", lang, source=source))
    return "\n".join(lines)


def info_mark(help_text: str, id_: dict | str | None = None) -> html.Span:
    """An ⓘ whose hover shows `help_text` (keyboard users reach it with Tab)."""
    extra = {"id": id_} if id_ is not None else {}
    return html.Span("ⓘ", title=help_text, className="info", tabIndex="0", **extra)
