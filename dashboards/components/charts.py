"""Figures: the district map, the ranking bar chart and the monthly trend. Built from mart
rows only; no number is computed here that the marts do not hold."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
from dash import dcc, html

from dashboards.components.formatting import STATUS_COLOURS, STATUS_ORDER, status_text, value_text
from dashboards.i18n import t
from dashboards.i18n.catalogue import TEXT
from pipelines.outputs import disclosure

# Every chart's toolbar: no Plotly logo, and nothing that links to or sends the chart's data to
# Plotly's cloud (Chart Studio); everything the app shows stays on the machine.
GRAPH_CONFIG = {
    "displaylogo": False,
    "showLink": False,
    "sendData": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    # The picture comes from the chart's own 下载图片 button (png_button): with title and date.
    "modeBarButtonsToRemove": ["sendDataToCloud", "toImage"],
}


def panel(
    graph_id: str,
    heading: str,
    figure: go.Figure,
    subject: str,
    as_of,
    lang: str,
    config: dict | None = None,
    hint: str | None = None,
) -> html.Div:
    """A chart's panel: its heading, the chart, an optional hint and its 下载图片 button (the
    picture is titled with `subject` (place, programme) and the heading)."""
    parts = [html.H2(heading), dcc.Graph(id=graph_id, figure=figure, config=config or GRAPH_CONFIG)]
    bottom = [html.Span(hint, className="hint")] if hint else []
    bottom.append(png_button(graph_id, f"{subject} · {heading}", as_of, lang))
    parts.append(html.Div(bottom, className="chart-foot"))
    return html.Div(parts, className="panel")


def png_button(graph_id: str, title: str, as_of, lang: str) -> html.Button:
    """下载图片: the chart `graph_id` as a PNG with `title` and the as-of date drawn on it
    (assets/chart_png.js)."""
    text = t("chart.png_title", lang, title=title, as_of=str(as_of))
    filename = f"{title}_{as_of}.png".replace(" · ", "_").replace(" ", "")
    return html.Button(
        t("chart.png", lang),
        className="chart-png",
        id=f"{graph_id}-png",
        **{"data-graph": graph_id, "data-title": text, "data-filename": filename},
    )


FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


def member_name(member: str, lang: str) -> str:
    """A breakdown member in `lang` (the marts hold the contract's Chinese words; age bands
    and townships are written alike in both)."""
    key = f"member.{member}"
    return t(key, lang) if key in TEXT else member


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": fig.layout.margin.t or 10, "b": 10},
        font={"family": FONT, "size": 13},
        paper_bgcolor="white",
        plot_bgcolor="white",
    )
    return fig


def district_map(
    geojson: str | dict,
    rows: pl.DataFrame,
    centre: dict,
    zoom: float,
    lang: str,
    lagging_points: float,
    level: str = "district",
) -> go.Figure:
    """Choropleth of the districts (or a province's prefectures: `level`) coloured by status;
    no tiles, no base map, works offline.

    `geojson` is best the URL of the boundaries asset of that level: the browser fetches and
    caches it once and each update carries only the values."""
    districts = rows.filter(pl.col("unit_level") == level)
    fig = go.Figure()
    for status in STATUS_ORDER:
        part = districts.filter(pl.col("status") == status)
        label = t(f"legend.{status}", lang, p=f"{lagging_points:g}")
        fig.add_trace(
            go.Choroplethmap(
                geojson=geojson,
                locations=part.get_column("unit_code").to_list() or [None],
                z=[1] * max(part.height, 1),
                colorscale=[[0, STATUS_COLOURS[status]], [1, STATUS_COLOURS[status]]],
                showscale=False,
                marker={"line": {"color": "white", "width": 1.5}, "opacity": 0.9},
                name=label,
                customdata=[
                    [r["district_name"], value_text(r["value"], r["unit"]), value_text(r["target"], r["unit"]),
                     status_text(r["status"], lang), r["numerator"], r["denominator"] or "—"]
                    for r in part.iter_rows(named=True)
                ] or [[None] * 6],
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>"
                    + t("chart.value", lang) + " %{customdata[1]}<br>"
                    + t("chart.target", lang) + " %{customdata[2]}<br>"
                    + "%{customdata[3]}<br>%{customdata[4]} / %{customdata[5]}<extra></extra>"
                ),
                # The legend lists the statuses the map shows, in their colours.
                visible=True if part.height else "legendonly",
                showlegend=bool(part.height),
            )
        )  # fmt: skip
    fig.update_layout(
        map={"style": "white-bg", "center": centre, "zoom": zoom},
        legend={"orientation": "h", "y": -0.02, "x": 0, "bgcolor": "rgba(255,255,255,0.8)"},
        clickmode="event",
    )
    return _layout(fig, 430)


def ranking(
    rows: pl.DataFrame, lang: str, level: str = "district", top_level: str = "city"
) -> go.Figure:
    """Districts (or prefectures: `level`) sorted by value, the annual target of the unit above
    them (`top_level`: the city, or a prefecture drilled into) as a line, expected-by-now as
    markers."""
    districts = rows.filter(pl.col("unit_level") == level).sort(
        pl.col("value").fill_null(-1), descending=False
    )
    unit = districts.item(0, "unit") if districts.height else "ratio"
    scale = 100 if unit == "ratio" else 1
    fig = go.Figure(
        go.Bar(
            y=districts.get_column("district_name").to_list(),
            x=[None if v is None else v * scale for v in districts.get_column("value").to_list()],
            orientation="h",
            marker_color=[STATUS_COLOURS[s] for s in districts.get_column("status").to_list()],
            customdata=districts.get_column("unit_code").to_list(),
            name=t("chart.value", lang),
            showlegend=False,  # one bar has one colour in a legend: the statuses say it instead
        )
    )
    shown = set(districts.get_column("status").to_list())
    for status in (s for s in STATUS_ORDER if s in shown):
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=status_text(status, lang),
                marker={"symbol": "square", "size": 12, "color": STATUS_COLOURS[status]},
                hoverinfo="skip",
            )
        )
    expected = districts.get_column("expected").to_list()
    if any(e is not None for e in expected):
        fig.add_trace(
            go.Scatter(
                y=districts.get_column("district_name").to_list(),
                x=[None if e is None else e * scale for e in expected],
                mode="markers",
                marker={"symbol": "diamond", "size": 10, "color": "#424242"},
                name=t("chart.expected", lang),
            )
        )
    # The target line is the city's target; districts with targets of their own (counts, or a
    # district-specific share) show them as marks on their bar.
    city = rows.filter(pl.col("unit_level") == top_level)
    city_target = city.item(0, "target") if city.height else None
    targets = [v for v in districts.get_column("target").to_list() if v is not None]
    if city_target is not None and unit == "ratio":
        fig.add_vline(
            x=city_target * scale,
            line={"color": "#c62828", "dash": "dash"},
            annotation_text=t(
                "chart.top_target",
                lang,
                name=city.item(0, "district_name"),
                value=value_text(city_target, unit),
            ),
            annotation_position="top",
        )
    own = [v if v is not None and (unit != "ratio" or v != city_target) else None
           for v in districts.get_column("target").to_list()]  # fmt: skip
    if any(v is not None for v in own):
        fig.add_trace(
            go.Scatter(
                y=districts.get_column("district_name").to_list(),
                x=[None if v is None else v * scale for v in own],
                mode="markers",
                marker={"symbol": "line-ns-open", "size": 16, "color": "#c62828"},
                name=t("chart.target", lang),
            )
        )
    reach = [
        v for v in [*districts.get_column("value").to_list(), *targets, *expected] if v is not None
    ]
    top = max(reach or [1]) * scale
    # Each value is written to the right of its bar and of its expected-by-now marker (and of
    # the city's target line when that is close), so no marker or line covers a label.
    lines = [city_target] if city_target is not None and unit == "ratio" else []
    for name_, value, exp in zip(districts.get_column("district_name").to_list(),
                                 districts.get_column("value").to_list(), expected, strict=True):  # fmt: skip
        if value is None:
            continue
        ends = [value, *(e for e in [exp] if e is not None)]
        ends += [line for line in lines if abs(line - max(ends)) * scale < top * 0.06]
        fig.add_annotation(x=max(ends) * scale, y=name_, text=value_text(value, unit),
                           xanchor="left", xshift=12, showarrow=False, font={"size": 12})  # fmt: skip
    fig.update_xaxes(
        ticksuffix="%" if unit == "ratio" else "",
        gridcolor="#eeeeee",
        range=[0, top * 1.25],
    )
    fig.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.12}, margin={"t": 30})
    return _layout(fig, max(260, 34 * districts.height + 90))


def trend(series: pl.DataFrame, lang: str, unit: str) -> go.Figure:
    """The indicator at each month end against the expected path and the annual target."""
    scale = 100 if unit == "ratio" else 1
    x = [d.strftime("%Y-%m") for d in series.get_column("as_of").to_list()]  # month-end values
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x,
            y=[None if v is None else v * scale for v in series.get_column("value").to_list()],
            mode="lines+markers",
            name=t("chart.value", lang),
            line={"color": "#1565c0", "width": 3},
        )
    )
    if series.get_column("expected").drop_nulls().len():
        fig.add_trace(
            go.Scatter(
                x=x,
                y=[
                    None if v is None else v * scale
                    for v in series.get_column("expected").to_list()
                ],
                mode="lines",
                name=t("chart.expected_path", lang),
                line={"color": "#757575", "dash": "dot"},
            )
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=[None if v is None else v * scale for v in series.get_column("target").to_list()],
                mode="lines",
                name=t("chart.target", lang),
                line={"color": "#c62828", "dash": "dash"},
            )
        )
    fig.update_yaxes(
        ticksuffix="%" if unit == "ratio" else "", gridcolor="#eeeeee", rangemode="tozero"
    )
    fig.update_xaxes(type="category", nticks=12, automargin=True)  # crowded months thin out
    fig.update_layout(legend={"orientation": "h", "y": -0.2})
    return _layout(fig, 300)


def _bar_text(row: dict, unit: str) -> str:
    """A member's value, or the mark of its hidden count (no bar is drawn for it)."""
    marks = [row.get(disclosure.mark_column(c)) for c in disclosure.COUNTS]
    return next((m for m in marks if m), None) or value_text(row["value"], unit)


def breakdown_bars(rows: pl.DataFrame, lang: str, unit: str) -> go.Figure:
    """A breakdown's members (disability category, gender, age band) as bars, named in the
    screen's language."""
    scale = 100 if unit == "ratio" else 1
    fig = go.Figure(
        go.Bar(
            x=[member_name(m, lang) for m in rows.get_column("member").to_list()],
            y=[None if v is None else v * scale for v in rows.get_column("value").to_list()],
            text=[_bar_text(r, unit) for r in rows.iter_rows(named=True)],
            textposition="outside",
            marker_color="#1565c0",
        )
    )
    # Many members (townships): slanted labels, every one kept (each bar is a place).
    fig.update_xaxes(tickangle=-45 if rows.height > 8 else 0, automargin=True)
    fig.update_yaxes(
        ticksuffix="%" if unit == "ratio" else "", gridcolor="#eeeeee", rangemode="tozero"
    )
    return _layout(fig, 240)
