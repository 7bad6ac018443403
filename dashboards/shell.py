"""The shell around every page: the header with the global controls (programme, year, as-of
date, language), the navigation the user's role reaches, the account line, and their callbacks."""

from __future__ import annotations

import dash
from dash import Input, Output, State, dcc, html, no_update

from dashboards.auth import current_scope, optional_scope
from dashboards.i18n import LANG_COOKIE, LANGUAGES, name, request_lang, t
from dashboards.queries import as_of_options, meta, open_count, unit_names
from dashboards.state import parse_view, view_query
from pipelines.warehouse import snapshots


def _nav(scope) -> list:
    """Links to the pages the user's role reaches (the server refuses the others anyway)."""
    links = [
        ("view", "/", "overview", t("nav.overview")),
        ("view", "/scorecard", "scorecard", t("nav.scorecard")),
        ("downloads", "/downloads", "downloads", t("nav.downloads")),
        ("view", "/notifications", "notifications",
         [html.Span(t("nav.notifications"), id="shell-nav-notifications-text"),
          html.Span(id="shell-badge", className="badge")]),
        ("supervision", "/supervision", "supervision", t("nav.supervision")),
        ("tasks", "/tasks", "tasks", t("nav.tasks")),
        ("bulletins", "/bulletins", "bulletins", t("nav.bulletins")),
        ("loaded", "/loaded", "loaded", t("nav.loaded")),
        ("data", "/data", "data", t("nav.data")),
        ("targets", "/targets", "targets", t("nav.targets")),
        ("admin", "/admin", "admin", t("nav.admin")),
    ]  # fmt: skip
    return [
        dcc.Link(label, href=href, id=f"shell-nav-{key}",
                 style=None if scope and scope.allows(cap) else {"display": "none"})
        for cap, href, key, label in links
    ]  # fmt: skip


SNAPSHOT_POLL_MS = 15_000


def _snapshot_name(scope) -> str | None:
    pointer = snapshots.published(scope.settings) if scope is not None else None
    return pointer["snapshot"] if pointer else None


def _who(scope, lang: str | None) -> list:
    """The user's name (their own word, in no language) and role."""
    return [html.Span(scope.user, className="data-text"), f" · {t('role.' + scope.role, lang)}"]


def _account(scope) -> html.Form:
    """Who is logged in (role, district) and the logout button (a POST form)."""
    who = _who(scope, None) if scope is not None else ""
    return html.Form(
        [
            html.Span(who, id="shell-user", className="shell-user"),
            html.Button(
                t("shell.logout"), type="submit", id="shell-logout", className="link-button"
            ),
        ],
        action="/logout",
        method="POST",
        className="shell-account",
    )


def _juris(scope, info) -> str:
    if info is None:
        return ""
    if scope.district:
        return f"{info.jurisdiction} · {unit_names(scope).get(scope.district, scope.district)}"
    return info.jurisdiction


def _district_options(scope, info, lang: str) -> list[dict]:
    if scope is None or scope.district is not None or info is None:
        return []
    whole = {"label": t(f"shell.whole.{info.level}", lang, name=info.jurisdiction), "value": "city"}
    return [whole, *({"label": n, "value": c} for c, n in sorted(info.units.items()))]


def _district_selector(scope, info) -> list:
    """The fourth global control: the city or one of its districts (opens its page). Shown to
    users who see several districts; a district user's page is their district's anyway."""
    several = scope is not None and scope.district is None and info is not None
    options = _district_options(scope, info, "zh")
    hidden = None if several else {"display": "none"}
    return [
        html.Label(t("shell.district"), id="shell-district-label", htmlFor="shell-district",
                   style=hidden),
        html.Div(
            dcc.Dropdown(id="shell-district", options=options, value="city", clearable=False,
                         className="shell-dropdown"),
            style=hidden,
        ),
    ]  # fmt: skip


def shell() -> html.Div:
    """Header with the global controls (programme, year, language, data as-of) and navigation."""
    scope = optional_scope()
    info = meta(scope) if scope else None
    programmes = (
        [{"label": p["name_zh"], "value": p["code"]} for p in info.programmes] if info else []
    )
    years = info.years if info else []
    return html.Div(
        [
            # callback-nav: the header's choice goes into the query string without a reload,
            # and back/forward bring earlier choices back.
            dcc.Location(id="url", refresh="callback-nav"),
            html.Span(id="shell-lang-done", style={"display": "none"}),
            # The published snapshot: when a run publishes a new one (targets saved, files
            # loaded, the nightly run), the open page shows the new figures without a reload.
            dcc.Store(id="shell-snapshot", data=_snapshot_name(scope)),
            dcc.Interval(id="shell-tick", interval=SNAPSHOT_POLL_MS),
            html.Header(
                [
                    html.Div(
                        [
                            html.H1(t("app.title"), id="shell-title"),
                            html.Span(_juris(scope, info), className="shell-juris"),
                        ],
                        className="shell-brand",
                    ),
                    html.Nav(
                        _nav(scope),
                        className="shell-nav",
                    ),
                    html.Div(
                        [
                            html.Label(
                                t("shell.programme"),
                                id="shell-programme-label",
                                htmlFor="shell-programme",
                            ),
                            dcc.Dropdown(
                                id="shell-programme",
                                options=programmes,
                                value=programmes[0]["value"] if programmes else None,
                                clearable=False,
                                persistence=True,
                                persistence_type="session",
                                className="shell-dropdown",
                            ),
                            html.Label(
                                t("shell.year"), id="shell-year-label", htmlFor="shell-year"
                            ),
                            dcc.Dropdown(
                                id="shell-year",
                                options=[{"label": str(y), "value": y} for y in years],
                                value=years[-1] if years else None,
                                clearable=False,
                                persistence=True,
                                persistence_type="session",
                                className="shell-dropdown shell-year",
                            ),
                            html.Label(
                                t("shell.as_of_select"),
                                id="shell-as-of-select-label",
                                htmlFor="shell-as-of-select",
                            ),
                            dcc.Dropdown(
                                id="shell-as-of-select",
                                clearable=False,
                                className="shell-dropdown shell-date",
                            ),
                            *_district_selector(scope, info),
                            html.Span(
                                [
                                    html.Span(t("shell.as_of"), id="shell-as-of-label"),
                                    html.Strong(
                                        info.as_of.isoformat() if info and info.as_of else "—",
                                        id="shell-as-of",
                                    ),
                                ],
                                className="shell-as-of",
                            ),
                            _account(scope),
                            dcc.RadioItems(
                                id="shell-lang",
                                options=[
                                    {"label": "中文", "value": "zh"},
                                    {"label": "English", "value": "en"},
                                ],
                                value=request_lang(),
                                inline=True,
                                className="shell-lang",
                            ),
                        ],
                        className="shell-controls",
                    ),
                ],
                className="shell-header",
            ),
            html.Main(dash.page_container, className="shell-main"),
        ],
        className="app-shell",
    )


def register_callbacks(app: dash.Dash) -> None:
    @app.callback(
        Output("shell-snapshot", "data"),
        Input("shell-tick", "n_intervals"),
        State("shell-snapshot", "data"),
        prevent_initial_call=True,
    )
    def _watch_snapshot(_ticks, shown):
        now = _snapshot_name(current_scope())
        return now if now != shown else no_update

    # Another language: kept in the cookie, and the page is built again in it on the server
    # (every label, placeholder and page, not only those a callback updates).
    app.clientside_callback(
        f"""function (lang) {{
            const now = (document.cookie.match(/(?:^|; ){LANG_COOKIE}=([^;]*)/) || [])[1] || "zh";
            if (lang && lang !== now) {{
                document.cookie = "{LANG_COOKIE}=" + lang + "; path=/; max-age=31536000; SameSite=Lax";
                window.location.reload();
            }}
            return "";
        }}""",
        Output("shell-lang-done", "children"),
        Input("shell-lang", "value"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output("shell-title", "children"),
        Output("shell-nav-overview", "children"),
        Output("shell-nav-downloads", "children"),
        Output("shell-nav-loaded", "children"),
        Output("shell-nav-notifications-text", "children"),
        Output("shell-nav-bulletins", "children"),
        Output("shell-nav-admin", "children"),
        Output("shell-nav-data", "children"),
        Output("shell-nav-targets", "children"),
        Output("shell-logout", "children"),
        Output("shell-user", "children"),
        Output("shell-programme-label", "children"),
        Output("shell-year-label", "children"),
        Output("shell-as-of-label", "children"),
        Output("shell-as-of-select-label", "children"),
        Output("shell-programme", "options"),
        Output("shell-nav-scorecard", "children"),
        Output("shell-district-label", "children"),
        Output("shell-district", "options"),
        Output("shell-nav-supervision", "children"),
        Output("shell-nav-tasks", "children"),
        Input("shell-lang", "value"),
    )
    def _translate_shell(lang):
        lang = lang if lang in LANGUAGES else "zh"
        scope = current_scope()
        info = meta(scope)
        programmes = (
            [{"label": name(p, lang), "value": p["code"]} for p in info.programmes] if info else []
        )
        keys = (
            "app.title",
            "nav.overview",
            "nav.downloads",
            "nav.loaded",
            "shell.programme",
            "shell.year",
            "shell.as_of",
            "shell.as_of_select",
        )
        return (
            *(t(k, lang) for k in keys[:4]),
            t("nav.notifications", lang),
            t("nav.bulletins", lang),
            t("nav.admin", lang),
            t("nav.data", lang),
            t("nav.targets", lang),
            t("shell.logout", lang),
            _who(scope, lang),
            *(t(k, lang) for k in keys[4:]),
            programmes,
            t("nav.scorecard", lang),
            t("shell.district", lang),
            _district_options(scope, info, lang),
            t("nav.supervision", lang),
            t("nav.tasks", lang),
        )

    @app.callback(
        Output("url", "search"),
        Output("shell-programme", "value"),
        Output("shell-year", "value"),
        Output("shell-as-of-select", "options"),
        Output("shell-as-of-select", "value"),
        Input("url", "search"),
        Input("shell-programme", "value"),
        Input("shell-year", "value"),
        Input("shell-as-of-select", "value"),
    )
    def _shareable_view(search, programme, year, as_of):
        """The URL and the header say the same: a link (or back/forward) sets the header, a
        change in the header updates the link. The as-of choices follow the year."""
        scope = current_scope()
        info = meta(scope)
        trigger = dash.ctx.triggered_id
        if trigger in (None, "url") and search:
            wanted = parse_view(search)
            if info and wanted.get("programme") in {p["code"] for p in info.programmes}:
                programme = wanted["programme"]
            if info and wanted.get("year") in set(info.years):
                year = wanted["year"]
            dates = as_of_options(scope, year) if year else []
            chosen = wanted.get("as_of") if wanted.get("as_of") in dates else None
            chosen = chosen or (dates[0] if dates else None)
            as_of = chosen.isoformat() if chosen else None
            options = [{"label": d.isoformat(), "value": d.isoformat()} for d in dates]
            query = view_query(programme, year, as_of)
            return (no_update if query == search else query), programme, year, options, as_of
        dates = as_of_options(scope, year) if year else []
        options = value = no_update
        if trigger in (None, "shell-year") or as_of not in {d.isoformat() for d in dates}:
            # A new year (or no valid choice yet, as on a page opened without a query): its
            # as-of dates, the newest chosen.
            options = [{"label": d.isoformat(), "value": d.isoformat()} for d in dates]
            as_of = value = dates[0].isoformat() if dates else None
        query = view_query(programme, year, as_of)
        changed = no_update if query == (search or "?") else query
        return changed, no_update, no_update, options, value

    @app.callback(
        Output("url", "pathname", allow_duplicate=True),
        Output("shell-district", "value"),
        Input("url", "pathname"),
        Input("shell-district", "value"),
        prevent_initial_call="initial_duplicate",
    )
    def _district_choice(pathname, district):
        """The district selector and the address say the same: choosing a district opens its
        page (the city: the overview); opening a district page shows it in the selector."""
        current_scope()
        shown = (
            (pathname or "").removeprefix("/district/")
            if (pathname or "").startswith("/district/")
            else "city"
        )
        if dash.ctx.triggered_id == "shell-district" and district and district != shown:
            return ("/" if district == "city" else f"/district/{district}"), no_update
        return no_update, (shown if shown != district else no_update)

    @app.callback(
        Output("shell-badge", "children"),
        Input("shell-programme", "value"),
        Input("shell-year", "value"),
        Input("url", "pathname"),
    )
    def _badge(programme, year, _pathname):
        # Exactly what the notifications page lists by default for the same choice and scope.
        count = open_count(current_scope(), programme, year)
        return f" {count}" if count else ""
