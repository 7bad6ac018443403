"""The Dash app: `create_app()` wires pages and settings; `server` is the WSGI entry point."""

from __future__ import annotations

from pathlib import Path

import dash
from dash import html

from dashboards.i18n import t
from dashboards.state import set_settings
from pipelines.settings import Settings, load_settings

PAGES = Path(__file__).resolve().parent / "dashboards" / "pages"


def create_app(settings: Settings | None = None) -> dash.Dash:
    """A Dash app over the published snapshot of `settings.data_dir`; all assets served locally."""
    settings = settings or load_settings()
    set_settings(settings)
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(PAGES),
        serve_locally=True,
        title=t("app.title"),
        suppress_callback_exceptions=True,
    )
    app.layout = html.Div(
        [html.Header(html.H1(t("app.title")), className="app-header"), dash.page_container],
        className="app-shell",
    )
    return app


if __name__ == "__main__":
    from pipelines.cli import main

    main(["serve"])
