"""The bulletin's chart: the districts' values against the target, as a PNG for Word."""

from __future__ import annotations

from io import BytesIO

import polars as pl

from pipelines.outputs.formatting import STATUS_COLOURS, value_text


def chart_png(rows: pl.DataFrame, title: str, unit: str, target: float | None = None) -> bytes:
    """A bar chart of the districts with the city's annual target as a dashed line (matplotlib
    with the CJK font the setup installs)."""
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
        ax.bar(rows.get_column("district_name").to_list(), values,
               color=[STATUS_COLOURS[s] for s in rows.get_column("status").to_list()])  # fmt: skip
        if target is not None:
            ax.axhline(target * scale, color="#c62828", linestyle="--", linewidth=1, zorder=1)
            # Above the line, left of the plot's right edge, on white: never struck through.
            ax.annotate(f"年度目标 {value_text(target, unit)}", xy=(1, target * scale),
                        xycoords=("axes fraction", "data"), xytext=(0, 4), textcoords="offset points",
                        ha="right", va="bottom", fontsize=9, color="#c62828",
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})  # fmt: skip
            ax.set_ylim(top=max([target * scale, *values, 0]) * 1.18 or 1)
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
