"""The login: a server-rendered form, the session cookie, and the guard every request passes
before Flask routes it. Only the login page and static assets (Dash's JavaScript bundles, our
stylesheet) are public; anything else without a live session is refused (pages redirect to the
login, everything else gets 401)."""

from __future__ import annotations

import hmac
import logging
from html import escape
from urllib.parse import quote, urlsplit

import flask
from dash.exceptions import DashException
from flask import Flask, g, redirect, request

from dashboards.auth.roles import Denied, page_capability
from dashboards.auth.scope import Scope, client_ip
from dashboards.i18n import LANG_COOKIE, LANGUAGES, request_lang
from dashboards.i18n import t as text
from pipelines.ingest.protect import load_or_create_secret
from pipelines.ops import accounts
from pipelines.settings import Settings

log = logging.getLogger(__name__)

COOKIE = "rehab_session"

# Paths anyone may fetch: the login form and static files (no data in them).
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")

PUBLIC_PATHS = ("/login", "/_favicon.ico")

# The largest request body of anything but an upload (a callback's inputs are a few KB).
SMALL_BODY = 2 * 1024 * 1024

# Served files without figures, which browsers may cache (scripts, styles, boundaries).
CACHEABLE_PREFIXES = ("/assets/", "/_dash-component-suites/", "/geo/")

# Only this site's own resources. Dash writes its configuration and clientside callbacks
# inline, Plotly's WebGL map compiles shaders with Function and runs workers from blob: URLs,
# and chart pictures are data: URLs.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
    "connect-src 'self'; worker-src 'self' blob:; child-src 'self' blob:; frame-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; "
)


def install(server: Flask, settings: Settings) -> None:
    """Put the guard and the login routes on the Flask server."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    server.secret_key = hmac.new(
        load_or_create_secret(settings.secret_path), b"flask-session", "sha256"
    ).digest()
    server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")

    @server.before_request
    def _same_origin():
        # Cross-site request forgery: a state-changing request (log in, log out, a callback,
        # an upload) must come from a page of this site. Browsers say where a request comes
        # from (Sec-Fetch-Site, Origin); a request without either is not a browser's.
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        site = request.headers.get("Sec-Fetch-Site")
        origin = request.headers.get("Origin")
        foreign_site = site is not None and site not in ("same-origin", "none")
        foreign_origin = origin is not None and urlsplit(origin).netloc != request.host
        if foreign_site or foreign_origin:
            accounts.audit(settings, None, "request_refused", request.path,
                           f"cross-site: {origin or site}"[:200], client_ip(settings))  # fmt: skip
            return _refuse(403, "跨站请求已拒绝 / cross-site request refused")
        return None

    @server.after_request
    def _headers(response):
        # Nothing of this site is framed by another; the pages load only their own scripts,
        # styles, pictures and data; no type sniffing; figures are not kept in caches.
        # (The bulletin preview is a PDF framed by the bulletins page itself.)
        own_frame = request.path.startswith("/bulletins/file/")
        response.headers["X-Frame-Options"] = "SAMEORIGIN" if own_frame else "DENY"
        response.headers["Content-Security-Policy"] = CSP + (
            "frame-ancestors 'self'" if own_frame else "frame-ancestors 'none'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        if not request.path.startswith(CACHEABLE_PREFIXES):
            response.headers["Cache-Control"] = "no-store"
        return response

    @server.before_request
    def _guard():
        path = request.path
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            return None
        user = accounts.session_user(settings, request.cookies.get(COOKIE))
        if user is None:
            if request.method == "GET" and not path.startswith("/_dash"):
                return redirect(f"/login?next={quote(request.full_path.rstrip('?'))}")
            return _refuse(401, "请先登录 / please log in")
        try:
            g.scope = Scope.of(settings, user, client_ip(settings))
        except Denied:
            return _refuse(403, "账号无效 / invalid account")
        needed = page_capability(path) if request.method == "GET" else None
        if needed and not g.scope.allows(needed):
            accounts.audit(settings, user.name, "page_denied", path, None, client_ip(settings))
            return redirect("/")
        # Only uploads are large: a body over SMALL_BODY from someone who may not upload is
        # refused before it is read (the server-wide cap covers the uploads themselves).
        size = request.content_length or 0
        # A 督办 answer carries one attachment (base64 adds a third, with room for the form).
        answer_room = settings.attachment_mb * 1024 * 1024 * 3 // 2 + SMALL_BODY
        if size > SMALL_BODY and not (
            g.scope.allows("data") or (g.scope.allows("supervision.answer") and size <= answer_room)
        ):
            accounts.audit(settings, user.name, "request_refused", path,
                           f"body of {request.content_length} bytes", client_ip(settings))  # fmt: skip
            return _refuse(413, "请求过大 / request too large")
        return None

    def _invalid(exc):
        # A callback given what no page of the app sends (a list for a year, a number for a
        # name): a bad request, answered 400 and logged in one line, not a server error.
        if request.path.startswith("/_dash-update-component"):
            log.warning("invalid callback request refused: %s: %s", type(exc).__name__,
                        str(exc)[:200])  # fmt: skip
            return _refuse(400, "请求无效 / invalid request")
        log.exception("request failed: %s", request.path)
        return _refuse(500, "服务器错误 / server error")

    for kind in (TypeError, ValueError, KeyError, IndexError, AttributeError, DashException):
        server.register_error_handler(kind, _invalid)

    @server.errorhandler(Denied)
    def _denied(exc):
        # A callback or route asked for something outside the user's rights: refused, audited.
        scope = g.get("scope")
        accounts.audit(settings, scope.user if scope else None, "request_denied", request.path,
                       str(exc)[:200], client_ip(settings))  # fmt: skip
        return _refuse(403, "无权访问 / not allowed")

    @server.route("/login", methods=["GET", "POST"])
    def _login():
        # The form's language (its link switches it), else the one chosen before.
        lang = request.values.get("lang")
        lang = lang if lang in LANGUAGES else request_lang()
        target = _safe_next(request.values.get("next"))
        if request.method == "GET":
            return _login_page(lang, target)
        result = accounts.login(
            settings,
            request.form.get("name", ""),
            request.form.get("password", ""),
            client_ip(settings),
        )
        if result.user is None:
            error = "refused" if result.refused else "failed"
            # The form again with the reason (a page, not an error status: browsers log those).
            return _login_page(lang, target, error)
        response = redirect(target)
        response.set_cookie(
            COOKIE,
            result.token,
            httponly=True,
            samesite="Lax",
            secure=bool(settings.cookie_secure) or request.is_secure,
            path="/",
        )
        # The language chosen on the login page is the app's (the header can change it).
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="Lax", path="/")
        return response

    @server.route("/logout", methods=["POST"])
    def _logout():
        accounts.end_session(settings, request.cookies.get(COOKIE), client_ip(settings))
        response = redirect("/login")
        response.delete_cookie(COOKIE, path="/")
        return response


def _refuse(status: int, message: str) -> flask.Response:
    return flask.Response(message, status=status, mimetype="text/plain; charset=utf-8")


def _safe_next(target: str | None) -> str:
    """Only a path on this server (no scheme, no host) is a place to go after the login."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


LOGIN_KEYS = ("title", "heading", "sub", "name", "password", "submit", "other", "failed", "refused")


def _login_page(lang: str, target: str, error: str | None = None) -> str:
    """A plain server-rendered form (no Dash, no data): the only page open without a login."""
    t = {k: text(f"login.{k}", lang) for k in LOGIN_KEYS}
    other = "zh" if lang == "en" else "en"
    message = f'<p class="login-error" id="login-error">{t[error]}</p>' if error else ""
    return f"""<!DOCTYPE html>
<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t["title"]}</title><link rel="stylesheet" href="/assets/style.css"></head>
<body class="login-body"><form class="login-box" method="post" action="/login" id="login-form">
<h1>{t["heading"]}</h1><p class="hint">{t["sub"]}</p>{message}
<input type="hidden" name="next" value="{escape(target)}"><input type="hidden" name="lang" value="{lang}">
<label for="login-name">{t["name"]}</label>
<input id="login-name" name="name" autocomplete="username" required autofocus>
<label for="login-password">{t["password"]}</label>
<input id="login-password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" id="login-submit">{t["submit"]}</button>
<a href="/login?lang={other}&amp;next={quote(target)}" id="login-lang">{t["other"]}</a>
</form></body></html>"""
