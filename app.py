"""The Dash app: `create_app()` wires the shell, the pages and the settings; `server` is the
WSGI entry point. All assets (Dash, Plotly, AG Grid, the district boundaries) are served by
the app itself: nothing is fetched from the internet."""

from __future__ import annotations

from pathlib import Path

import dash
from flask import abort, request, send_file

from dashboards import auth, shell
from dashboards.auth import current_scope
from dashboards.components.geo import BOUNDARY_LEVELS
from dashboards.i18n import t
from dashboards.queries import bulletin_file
from pipelines.indicators.boundaries import boundaries_path, gzip_path
from pipelines.settings import Settings, load_settings, owner_only

HERE = Path(__file__).resolve().parent
PAGES = HERE / "dashboards" / "pages"
ASSETS = HERE / "dashboards" / "assets"


def create_app(settings: Settings | None = None) -> dash.Dash:
    """A Dash app over the published snapshot of `settings.data_dir`."""
    owner_only()
    settings = settings or load_settings()
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(PAGES),
        assets_folder=str(ASSETS),
        serve_locally=True,
        title=t("app.title"),
        suppress_callback_exceptions=True,
        update_title=None,
    )
    auth.install(app.server, settings)
    # Uploads arrive as base64 in one callback request: room for several files of the limit.
    app.server.config["MAX_CONTENT_LENGTH"] = settings.upload_mb * 1024 * 1024 * 12
    app.layout = shell.shell
    shell.register_callbacks(app)

    @app.server.route("/bulletins/file/<name>")
    def _bulletin_file(name: str):
        # Only files the archive lists are served (no path from the browser is trusted).
        try:
            path = bulletin_file(current_scope("bulletins"), name)
        except FileNotFoundError:
            abort(404)
        # The PDF preview opens in the page; the Word document downloads.
        preview = path.suffix == ".pdf"
        return send_file(path, as_attachment=not preview, download_name=name)

    @app.server.route("/geo/<level>.geojson")
    def _boundaries(level: str):
        # Public geography (no figures), still only for logged-in users; sent compressed.
        if level not in BOUNDARY_LEVELS:
            abort(404)
        path = boundaries_path(current_scope().settings, BOUNDARY_LEVELS[level])
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            response = send_file(gzip_path(path), mimetype="application/geo+json")
            response.headers["Content-Encoding"] = "gzip"
            response.headers["Vary"] = "Accept-Encoding"
        else:
            response = send_file(path, mimetype="application/geo+json")
        response.cache_control.max_age = 86400
        return response

    return app


if __name__ == "__main__":  # a development server; `rehab-monitor serve` in production
    create_app().run(debug=False)
