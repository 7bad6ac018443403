"""Login, roles and district scope, enforced on the server: every route and callback refuses
a request without a login; a district user gets only their district whatever the browser
sends; leader and analyst never receive masked persons; failed logins are rate-limited."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from datetime import datetime, timedelta

import polars as pl
import pytest

from app import create_app
from dashboards.auth import Scope
from dashboards.auth.login import PUBLIC_PATHS, PUBLIC_PREFIXES
from dashboards.views.admin import audit_export
from pipelines.cli import main
from pipelines.ops import accounts
from pipelines.settings import load_settings
from tests.conftest import PASSWORD, login

OWN, OTHER = "211202", "211223"  # 银州区, 西丰县
DISTRICT_NAMES = {"211202": "银州区", "211204": "清河区", "211221": "铁岭县", "211223": "西丰县",
                  "211224": "昌图县", "211281": "调兵山市", "211282": "开原市"}  # fmt: skip
MASKED_ID = re.compile(r"\d{6}\*{8}[\dXx]{4}")
MASKED_NAME = re.compile(r"[\u4e00-\u9fff]\*")


@pytest.fixture(scope="module")
def settings(tmp_path_factory, demo_inbox):
    data = tmp_path_factory.mktemp("access") / "data"
    shutil.copytree(demo_inbox, data / "inbox")
    assert main(["--data-dir", str(data), "pipeline", "run"]) == 0
    return load_settings(data, jurisdiction="211200", login_attempts=3)


@pytest.fixture(scope="module")
def app(settings):
    return create_app(settings)


def _client(app, settings, name, role, district=None):
    return login(app.server.test_client(), settings, name, role, district)


def _output(outputs: list[tuple[str, str]]) -> str:
    if len(outputs) == 1:
        return f"{outputs[0][0]}.{outputs[0][1]}"
    return ".." + "...".join(f"{i}.{p}" for i, p in outputs) + ".."


def call(client, outputs, inputs, state=(), changed=None):
    """POST one callback as the browser would (ids, properties and values as given; the
    changed property is the first input unless `changed` names another)."""
    payload = {
        "output": _output(outputs),
        "outputs": [{"id": i, "property": p} for i, p in outputs]
        if len(outputs) > 1
        else {"id": outputs[0][0], "property": outputs[0][1]},
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [changed or f"{inputs[0][0]}.{inputs[0][1]}"] if inputs else [],
    }
    return client.post("/_dash-update-component", json=payload)


def _overview(client, programme="mental_rehab"):
    return call(client, [("overview-content", "children")],
                [("shell-programme", "value", programme), ("shell-year", "value", 2025),
                 ("shell-lang", "value", "zh"), ("shell-as-of-select", "value", None),
                 ("overview-area", "data", None), ("shell-snapshot", "data", None)])  # fmt: skip


def _district(client, code, programme="mental_rehab"):
    return call(client, [("district-content", "children")],
                [("district-code", "data", code), ("shell-programme", "value", programme),
                 ("shell-year", "value", 2025), ("shell-lang", "value", "zh"),
                 ("shell-as-of-select", "value", None), ("shell-snapshot", "data", None)])  # fmt: skip


def _feed(client, district):
    return call(client, [("notify-feed", "children")],
                [("notify-status", "value", "all"), ("shell-programme", "value", None),
                 ("shell-year", "value", None), ("notify-district", "value", district),
                 ("notify-rule", "value", ""), ("shell-lang", "value", "zh")])  # fmt: skip


def _preview(client, by, programme="mental_rehab", indicator="service_coverage"):
    return call(client, [("downloads-grid", "columnDefs"), ("downloads-grid", "rowData"),
                         ("downloads-count", "children"), ("downloads-as-of", "children")],
                [("downloads-indicator", "value", indicator), ("shell-programme", "value", programme),
                 ("shell-year", "value", 2025), ("shell-as-of-select", "value", None),
                 ("downloads-by", "value", by), ("downloads-readable", "value", []),
                 ("shell-lang", "value", "zh")])  # fmt: skip


def _persons(client, rule="review_overdue", reason="逐一电话回访核实"):
    return call(client, [("persons-result", "children")], [("persons-show", "n_clicks", 1)],
                [("persons-rule", "value", rule), ("persons-reason", "value", reason),
                 ("shell-programme", "value", None), ("shell-lang", "value", "zh")])  # fmt: skip


def _text(response) -> str:
    """The body as text, JSON with its characters unescaped (Dash escapes non-ASCII)."""
    data = response.get_json(silent=True)
    return (
        json.dumps(data, ensure_ascii=False)
        if data is not None
        else response.get_data(as_text=True)
    )


def _rule_url(rule) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", "x", rule.rule)


def test_every_route_refuses_an_unauthenticated_request(app):
    anonymous = app.server.test_client()
    checked = 0
    for rule in app.server.url_map.iter_rules():
        url = _rule_url(rule)
        if url in PUBLIC_PATHS or url.startswith(PUBLIC_PREFIXES) or rule.endpoint == "static":
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = anonymous.open(url, method=method)
            checked += 1
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/login"), (url, method)
            else:
                assert response.status_code == 401, (url, method, response.status_code)
    # Dash's own routes (layout, dependencies, callbacks, pages) and ours are all covered.
    assert checked >= 8
    urls = {_rule_url(r) for r in app.server.url_map.iter_rules()}
    assert {"/_dash-layout", "/_dash-dependencies", "/_dash-update-component",
            "/bulletins/file/x", "/geo/x.geojson", "/logout"} <= urls  # fmt: skip


def test_public_paths_hold_no_data(app):
    anonymous = app.server.test_client()
    page = anonymous.get("/login")
    assert page.status_code == 200 and "登录" in _text(page)
    assert anonymous.get("/assets/style.css").status_code == 200
    # A page path redirects to the login and keeps where the user wanted to go.
    response = anonymous.get("/district/211202")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/district/211202"


def test_every_callback_refuses_an_unauthenticated_request(app, settings):
    admin = _client(app, settings, "root", "admin")
    dependencies = admin.get("/_dash-dependencies").get_json()
    assert len(dependencies) >= 15
    anonymous = app.server.test_client()
    assert anonymous.get("/_dash-dependencies").status_code == 401
    assert anonymous.get("/_dash-layout").status_code == 401
    for cb in dependencies:
        outputs = [tuple(o.rsplit(".", 1)) for o in cb["output"].strip(".").split("...")]
        inputs = [(i["id"], i["property"], None) for i in cb["inputs"]]
        state = [(s["id"], s["property"], None) for s in cb["state"]]
        response = call(anonymous, outputs, inputs, state)
        assert response.status_code == 401, cb["output"]
    # The same callbacks answer a logged-in admin (the refusal above is the login's doing).
    assert _overview(admin).status_code == 200


def test_district_user_gets_only_their_district_whatever_is_forged(app, settings):
    client = _client(app, settings, "yinzhou", "district", OWN)
    others = [n for c, n in DISTRICT_NAMES.items() if c != OWN]

    overview = _text(_overview(client))
    assert "银州区" in overview
    assert not [n for n in others if n in overview]

    # The district page of another district, asked for directly: refused as unknown.
    forged = _text(_district(client, OTHER))
    assert "不是本辖区的区县" in forged and "西丰县" not in forged
    assert "银州区" in _text(_district(client, OWN))

    # The notification feed filtered to another district: only the user's own notifications.
    feed = _text(_feed(client, OTHER))
    assert not [n for n in others if n in feed]

    # Downloads: every breakdown contains the user's district only (no city row).
    for by in ("district", "township", "category", "month"):
        rows = _preview(client, by).get_json()["response"]["downloads-grid"]["rowData"]
        assert rows and {r["district_code"] for r in rows} == {OWN}, by

    # Callbacks of pages the role does not reach are refused outright.
    refused = call(client, [("admin-audit", "rowData"), ("admin-count", "children")],
                   [("admin-user", "value", None), ("admin-action", "value", ""),
                    ("admin-dates", "start_date", None), ("admin-dates", "end_date", None),
                    ("admin-text", "value", None), ("shell-lang", "value", "zh")])  # fmt: skip
    assert refused.status_code == 403
    refused_file = client.get("/bulletins/file/anything.docx")
    assert refused_file.status_code == 302 and refused_file.headers["Location"] == "/"


def test_the_district_download_file_is_cut_to_the_district(settings):
    from dashboards.views.downloads import download_file

    scope = Scope(settings, "yinzhou", "district", OWN)
    path = download_file(
        scope, "parquet", "service_coverage", "mental_rehab", 2025, None, "district"
    )
    assert pl.read_parquet(path).get_column("district_code").to_list() == [OWN]
    with pytest.raises(PermissionError):
        download_file(Scope(settings, "lead", "leader", None), "csv", "service_coverage",
                      "mental_rehab", 2025, None, "district")  # fmt: skip


def test_only_district_users_list_masked_persons_with_a_reason(app, settings):
    district = _client(app, settings, "yinzhou", "district", OWN)
    shown = _text(_persons(district))
    assert MASKED_ID.search(shown) and MASKED_NAME.search(shown)  # the list exists, masked
    without_reason = _text(_persons(district, reason=" "))
    assert "请先填写查询事由" in without_reason and not MASKED_ID.search(without_reason)
    lines = accounts.search_audit(settings, user="yinzhou", action="persons_list")
    assert lines and "reason=逐一电话回访核实" in lines[0]["detail"]
    assert lines[0]["target"].startswith(f"review_overdue {OWN}")
    for role in ("leader", "analyst", "office", "admin"):
        other = _client(app, settings, f"p-{role}", role)
        assert _persons(other).status_code == 403, role


@pytest.mark.parametrize("role", ["leader", "analyst"])
def test_leader_and_analyst_responses_hold_no_masked_persons(app, settings, role):
    client = _client(app, settings, f"look-{role}", role)
    bodies = [_text(_overview(client, p))
              for p in ("mental_rehab", "precise_rehab", "child_rehab")]  # fmt: skip
    bodies += [_text(_district(client, code)) for code in DISTRICT_NAMES]
    bodies.append(_text(_feed(client, "")))
    if role == "analyst":
        bodies += [_text(_preview(client, by)) for by in ("district", "township", "category")]
    for page in ("/", "/district/211202", "/notifications", "/downloads"):
        bodies.append(_text(client.get(page)))
    bodies.append(_text(client.get("/_dash-layout")))
    assert all(bodies)
    for body in bodies:
        assert not MASKED_ID.search(body) and not MASKED_NAME.search(body)


def test_failed_logins_are_rate_limited_and_audited(app, settings):
    accounts.add_user(settings, "clerk", "office", PASSWORD)
    client = app.server.test_client()
    for _ in range(settings.login_attempts):
        response = client.post("/login", data={"name": "clerk", "password": "wrong password!"})
        assert response.status_code == 200 and "rehab_session" not in response.headers.get(
            "Set-Cookie", ""
        )
        assert "用户名或密码不正确" in _text(response)
    # Even the right password is refused until the lock-out has passed.
    refused = client.post("/login", data={"name": "clerk", "password": PASSWORD})
    assert "Set-Cookie" not in refused.headers and "15分钟" in _text(refused)
    assert (
        len(accounts.search_audit(settings, action="login_failed", text="clerk"))
        == settings.login_attempts
    )
    assert accounts.search_audit(settings, action="login_refused", text="clerk")
    # After the window the account logs in again.
    with sqlite3.connect(settings.app_db_path) as con:
        old = (datetime.now() - timedelta(minutes=20)).isoformat(timespec="seconds")
        con.execute("update audit set at = ?, ip = null where target = 'clerk'", [old])
    assert client.post("/login", data={"name": "clerk", "password": PASSWORD}).status_code == 302


def test_a_lockout_is_per_name_and_address_behind_a_trusted_proxy(app, settings):
    from dataclasses import replace

    from dashboards.auth.scope import client_ip

    accounts.add_user(settings, "guesser", "office", PASSWORD)
    accounts.add_user(settings, "colleague", "office", PASSWORD)
    # Behind the proxy everyone shares its address; only from it is X-Forwarded-For believed.
    behind = replace(settings, trusted_proxies="127.0.0.1, 10.9.9.9")
    with app.server.test_request_context(
        headers={"X-Forwarded-For": "203.0.113.7, 10.9.9.9"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    ):
        assert client_ip(behind) == "203.0.113.7"
        assert client_ip(settings) == "127.0.0.1"  # no proxy trusted: the header is ignored
    with app.server.test_request_context(
        headers={"X-Forwarded-For": "198.51.100.1"}, environ_base={"REMOTE_ADDR": "192.0.2.50"}
    ):
        assert client_ip(behind) == "192.0.2.50"  # a forged header from a client: ignored

    for _ in range(settings.login_attempts):
        accounts.login(settings, "guesser", "wrong password!", "203.0.113.7")
    # The name is refused from that address …
    assert accounts.login(settings, "guesser", PASSWORD, "203.0.113.7").refused
    # … but a colleague behind the same proxy, and the name from elsewhere, log in.
    assert accounts.login(settings, "colleague", PASSWORD, "203.0.113.7").user is not None
    assert accounts.login(settings, "guesser", PASSWORD, "203.0.113.99").user is not None


def test_an_id_number_typed_as_a_login_name_is_masked_in_the_audit_log(app, settings):
    client = app.server.test_client()
    client.post("/login", data={"name": "211202198001010012", "password": "x"})
    lines = accounts.search_audit(settings, action="login_failed", text="211202")
    assert [line["target"] for line in lines] == ["211202********0012"]
    assert not accounts.search_audit(settings, text="211202198001010012")


def test_session_cookie_idle_timeout_and_logout(app, settings):
    accounts.add_user(settings, "reader", "leader", PASSWORD)
    client = app.server.test_client()
    response = client.post(
        "/login", data={"name": "reader", "password": PASSWORD, "next": "//evil.example"}
    )
    assert response.headers["Location"] == "/"  # no redirect off the site
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get("/").status_code == 200
    # Idle longer than the timeout: the session is gone and that is audited.
    with sqlite3.connect(settings.app_db_path) as con:
        stale = (datetime.now() - timedelta(minutes=settings.idle_minutes + 1)).isoformat()
        con.execute("update sessions set last_seen = ? where user = 'reader'", [stale])
    assert client.get("/").status_code == 302
    assert accounts.search_audit(settings, user="reader", action="session_expired")
    # Log in again, log out: the old cookie opens nothing.
    client.post("/login", data={"name": "reader", "password": PASSWORD})
    token = client.get_cookie("rehab_session").value
    assert client.post("/logout").status_code == 302
    client.set_cookie("rehab_session", token)
    assert client.get("/_dash-layout").status_code == 401
    assert accounts.search_audit(settings, user="reader", action="logout")


def test_secure_cookie_when_asked_for(settings):
    secure = create_app(load_settings(settings.data_dir, jurisdiction="211200", cookie_secure=1))
    accounts.add_user(settings, "https-user", "leader", PASSWORD)
    response = secure.server.test_client().post(
        "/login", data={"name": "https-user", "password": PASSWORD}
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_disabled_account_loses_its_session_at_once(app, settings):
    client = _client(app, settings, "leaver", "analyst")
    assert client.get("/_dash-layout").status_code == 200
    accounts.disable_user(settings, "leaver")
    assert client.get("/_dash-layout").status_code == 401


def test_pages_outside_the_role_redirect_and_are_audited(app, settings):
    leader = _client(app, settings, "chief", "leader")
    response = leader.get("/downloads")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert accounts.search_audit(settings, user="chief", action="page_denied", text="/downloads")
    assert leader.get("/admin").status_code == 302
    # The page content (a Dash callback) says so instead of showing anything.
    content = call(leader, [("_pages_content", "children"), ("_pages_store", "data")],
                   [("_pages_location", "pathname", "/admin"), ("_pages_location", "search", "")])  # fmt: skip
    assert "无权访问此页面" in _text(content)


def test_downloads_and_bulletins_are_audited(app, settings):
    analyst = _client(app, settings, "numbers", "analyst")
    response = call(analyst, [("downloads-file", "data")],
                    [("downloads-csv", "n_clicks", 1), ("downloads-xlsx", "n_clicks", None),
                     ("downloads-parquet", "n_clicks", None)],
                    [("downloads-indicator", "value", "service_coverage"),
                     ("shell-programme", "value", "mental_rehab"), ("shell-year", "value", 2025),
                     ("shell-as-of-select", "value", None), ("downloads-by", "value", "district"),
                     ("downloads-readable", "value", []), ("shell-lang", "value", "zh")])  # fmt: skip
    assert response.status_code == 200
    lines = accounts.search_audit(settings, user="numbers", action="download")
    assert lines and lines[0]["target"].startswith("mental_rehab_service_coverage_2025_district")

    office = _client(app, settings, "office1", "office")
    generated = call(office, [("bulletins-result", "children"), ("bulletins-archive-box", "children")],
                     [("bulletins-generate", "n_clicks", 1), ("shell-lang", "value", "zh")],
                     [("shell-programme", "value", "mental_rehab"), ("bulletins-period", "value", "2025-Q3"),
                      ("bulletins-issuer", "value", None), ("bulletins-scope", "value", "programme")])  # fmt: skip
    assert generated.status_code == 200
    name = accounts.search_audit(settings, user="office1", action="bulletin_generate")[0]["target"]
    assert office.get(f"/bulletins/file/{name}").status_code == 200
    assert accounts.search_audit(settings, user="office1", action="bulletin_download", text=name)
    # A leader reads the archive but cannot generate.
    leader = _client(app, settings, "reader2", "leader")
    again = call(leader, [("bulletins-result", "children"), ("bulletins-archive-box", "children")],
                 [("bulletins-generate", "n_clicks", 1), ("shell-lang", "value", "zh")],
                 [("shell-programme", "value", "mental_rehab"), ("bulletins-period", "value", "2025-Q3"),
                  ("bulletins-issuer", "value", None), ("bulletins-scope", "value", "programme")])  # fmt: skip
    assert again.status_code == 403


def test_admin_searches_and_exports_the_audit_log(app, settings):
    admin = Scope(settings, "root", "admin", None)
    accounts.audit(
        settings, "someone", "target_change", "mental_rehab service_coverage 2026", "0.6 → 0.65"
    )
    path = audit_export(admin, "xlsx", None, "target_change", None, None, "2026")
    import fastexcel

    sheet = fastexcel.read_excel(str(path)).load_sheet(0).to_polars()
    assert sheet.height == 1 and sheet.item(0, "user") == "someone"
    assert accounts.search_audit(settings, user="root", action="audit_export")
    with pytest.raises(PermissionError):
        audit_export(Scope(settings, "x", "analyst", None), "csv", None, None, None, None, None)


def test_users_and_roles_come_from_the_server_session_only(app, settings):
    # A browser that sends its own idea of role or district in cookies gains nothing.
    client = app.server.test_client()
    client.set_cookie("role", "admin")
    client.set_cookie("district", OTHER)
    assert client.get("/_dash-layout").status_code == 401
    store = json.dumps(accounts.search_audit(settings, limit=5))
    assert PASSWORD not in store


# -- hardening: cross-site requests, headers, audit of what is refused -------------------------


def test_cross_site_requests_are_refused_and_audited(app, settings):
    accounts.add_user(settings, "victim", "office", PASSWORD)
    anonymous = app.server.test_client()
    # A foreign page posting the login form (to log the browser into another account).
    forged = anonymous.post("/login", data={"name": "victim", "password": PASSWORD},
                            headers={"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"})  # fmt: skip
    assert forged.status_code == 403 and "Set-Cookie" not in forged.headers
    client = _client(app, settings, "victim", "office")
    # … or logging the user out, or calling a callback, from another site.
    assert client.post("/logout", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert _overview(client).status_code == 200  # still logged in
    response = client.post("/_dash-update-component", json={},
                           headers={"Origin": "http://evil.example"})  # fmt: skip
    assert response.status_code == 403
    assert len(accounts.search_audit(settings, action="request_refused")) >= 3
    # The same requests from the site's own pages pass.
    same = client.post(
        "/logout", headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    )
    assert same.status_code == 302


def test_every_response_forbids_framing_sniffing_and_caching_of_data(app, settings):
    client = _client(app, settings, "headers", "leader")
    page = client.get("/")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-store"
    assert _overview(client).headers["Cache-Control"] == "no-store"
    assert app.server.test_client().get("/login").headers["X-Frame-Options"] == "DENY"
    # Static files without figures may be cached.
    asset = client.get("/assets/style.css")
    assert "no-store" not in asset.headers.get("Cache-Control", "")


def test_refused_callbacks_uploads_and_rejects_exports_are_audited(app, settings, tmp_path):
    from pipelines.ingest.uploads import save_upload

    client = _client(app, settings, "nosy", "district", OWN)
    assert _district(client, OTHER).status_code == 200  # answered as unknown, nothing shown
    refused = call(client, [("admin-audit", "rowData"), ("admin-count", "children")],
                   [("admin-user", "value", None), ("admin-action", "value", None),
                    ("admin-dates", "start_date", None), ("admin-dates", "end_date", None),
                    ("admin-text", "value", None), ("shell-lang", "value", "zh")])  # fmt: skip
    assert refused.status_code == 403
    assert accounts.search_audit(settings, user="nosy", action="request_denied")

    bad = save_upload(settings, "报表.exe", "data:;base64,AAAA", "office1")
    assert bad.error_zh and accounts.search_audit(
        settings, action="upload_refused", text="报表.exe"
    )

    assert (
        main(["--data-dir", str(settings.data_dir), "rejects", "--out", str(tmp_path / "r.csv")])
        == 0
    )
    assert accounts.search_audit(settings, user="cli", action="rejects_export")


def test_two_uploads_with_the_same_name_are_both_kept(settings):
    import base64

    from pipelines.ingest.uploads import save_upload

    inbox_before = set(settings.inbox_dir.glob("*")) if settings.inbox_dir.exists() else set()
    one = save_upload(
        settings, "报表.csv", "data:;base64," + base64.b64encode(b"a\n1\n").decode(), "u"
    )
    two = save_upload(
        settings, "报表.csv", "data:;base64," + base64.b64encode(b"a\n2\n").decode(), "u"
    )
    assert (one.name, two.name) == ("报表.csv", "报表_2.csv")
    assert (settings.inbox_dir / "报表.csv").read_bytes() == b"a\n1\n"
    assert (settings.inbox_dir / "报表_2.csv").read_bytes() == b"a\n2\n"
    manifest = settings.inbox_dir / ".uploads"
    assert manifest.read_text(encoding="utf-8").splitlines()[-2:] == ["报表.csv", "报表_2.csv"]
    for name in ("报表.csv", "报表_2.csv"):
        (settings.inbox_dir / name).unlink()
    assert set(settings.inbox_dir.glob("*")) - {manifest} == inbox_before - {
        manifest
    }  # no temp file


def _upload(client, name, data, reapply):
    import base64

    url = "data:text/csv;base64," + base64.b64encode(data).decode()
    return call(client, [("data-upload-result", "children"), ("data-pending", "data"),
                         ("data-poll", "disabled"), ("data-progress", "children")],
                [("data-upload", "contents", [url])],
                [("data-upload", "filename", [name]), ("data-reapply", "value", reapply),
                 ("shell-lang", "value", "zh")])  # fmt: skip


def test_only_an_administrator_can_ask_for_a_file_to_be_re_applied(app, settings, monkeypatch):
    from pipelines.ops import jobs

    started = []
    monkeypatch.setattr(jobs, "start_run", lambda s, trigger: started.append(trigger))
    reapply_list = settings.inbox_dir / ".reapply"
    for role, district in (("office", None), ("district", OWN), ("leader", None)):
        client = _client(app, settings, f"re-{role}", role, district)
        refused = _upload(client, "更正.csv", b"a\n1\n", ["reapply"])
        assert refused.status_code == 403, role
        assert not (settings.inbox_dir / "更正.csv").exists()
        assert not reapply_list.exists() or "更正.csv" not in reapply_list.read_text("utf-8")
        assert accounts.search_audit(settings, user=f"re-{role}", action="request_denied")
    assert started == []

    admin = _client(app, settings, "re-admin", "admin")
    try:
        assert _upload(admin, "更正.csv", b"a\n1\n", ["reapply"]).status_code == 200
        assert reapply_list.read_text("utf-8").splitlines() == ["更正.csv"]
        assert started == ["upload"]
        assert [a["target"] for a in accounts.search_audit(settings, user="re-admin",
                                                           action="reapply")] == ["更正.csv"]  # fmt: skip
        # Without the box ticked an upload is not re-applied.
        assert _upload(admin, "普通.csv", b"a\n2\n", []).status_code == 200
        assert "普通.csv" not in reapply_list.read_text("utf-8")
    finally:
        for name in ("更正.csv", "普通.csv", ".reapply"):
            (settings.inbox_dir / name).unlink(missing_ok=True)


def test_crafted_callback_inputs_get_400_not_a_server_error(app, settings, caplog):
    client = _client(app, settings, "crafty", "leader")
    crafted = [
        [("shell-programme", "value", ["mental_rehab"]), ("shell-year", "value", [2025])],
        [("shell-programme", "value", {"$ne": 1}), ("shell-year", "value", "二〇二五")],
    ]
    for inputs in crafted:
        response = call(client, [("overview-content", "children")],
                        [*inputs, ("shell-lang", "value", "zh"), ("shell-as-of-select", "value", "x"),
                         ("overview-area", "data", 7), ("shell-snapshot", "data", None)])  # fmt: skip
        assert response.status_code in (200, 400), response.status_code
    missing = client.post("/_dash-update-component", json={"output": "overview-content.children"})
    assert missing.status_code == 400
    assert "Traceback" not in caplog.text


def test_a_large_request_body_is_refused_unless_the_user_may_upload(app, settings):
    body = b'{"output": "overview-content.children", "pad": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    leader = _client(app, settings, "bulky", "leader")
    refused = leader.post("/_dash-update-component", data=body, content_type="application/json")
    assert refused.status_code == 413
    assert accounts.search_audit(settings, user="bulky", action="request_refused")
    admin = _client(app, settings, "uploader", "admin")
    taken = admin.post("/_dash-update-component", data=body, content_type="application/json")
    assert taken.status_code != 413
