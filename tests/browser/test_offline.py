"""Nothing leaves the machine: every page is opened and every chart toolbar button and page
control pressed, and no request may go anywhere but this server (loopback). Requests elsewhere
are recorded and blocked, so a leak is a failure, never a silent upload."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import settled

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = ["/", "/scorecard", "/district/211223", "/downloads", "/notifications", "/bulletins",
         "/loaded", "/data", "/targets", "/admin"]  # fmt: skip
LOCAL = {"127.0.0.1", "localhost", "::1"}
# Controls that end the session or change data are not pressed here (their tests do that).
SKIP = ("#shell-logout", "#bulletins-generate", "#targets-save", "#data-upload", "#admin-")


def _controls(page) -> list:
    """Every clickable control of the page, the header's included."""
    found = []
    for selector in ("button", "input[type=radio]", "input[type=checkbox]", ".Select-control",
                     ".dash-dropdown", "a.download", "summary"):  # fmt: skip
        for element in page.query_selector_all(selector):
            try:
                ident = element.get_attribute("id") or ""
                if element.is_visible() and not any(f"#{ident}".startswith(s) for s in SKIP):
                    found.append(element)
            except Exception:  # re-rendered meanwhile
                continue
    return found


def test_no_request_leaves_the_machine_whatever_is_pressed(server, page):
    outside: list[str] = []

    def guard(route):
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", guard)
    page.on("download", lambda d: d.cancel())  # PNG exports and files: taken, not kept
    # The guard sees a request to elsewhere (a documentation address, never routed), made
    # from a blank page: the app's own pages refuse it before it is sent (their CSP).
    probe = page.context.new_page()
    with probe.expect_event("requestfailed", lambda r: "192.0.2.1" in r.url):
        probe.evaluate("fetch('http://192.0.2.1/probe').catch(() => null)")
    probe.close()
    assert outside == ["http://192.0.2.1/probe"]
    outside.clear()
    page.goto(server["url"] + "/")
    csp = page.evaluate("fetch('http://192.0.2.1/probe').then(() => 'sent', () => 'refused')")
    assert csp == "refused" and outside == []
    pressed = 0
    for path in PAGES:
        page.goto(server["url"] + path)
        page.wait_for_selector("#shell-user", timeout=30_000)
        settled(page)
        # Every chart's toolbar: hover to show it, press each button (zoom, pan, PNG, reset …).
        for graph in page.query_selector_all(".js-plotly-plot"):
            try:
                graph.hover()
                buttons = graph.query_selector_all(".modebar-btn")
            except Exception:
                continue
            for button in buttons:
                try:
                    if button.is_visible():
                        button.click(timeout=2_000)
                        pressed += 1
                except Exception:
                    continue
        for control in _controls(page):
            try:
                control.click(timeout=2_000)
                pressed += 1
            except Exception:  # covered by another element after an earlier click
                continue
        settled(page)
        if page.url != server["url"] + path:
            page.goto(server["url"] + path)
    assert pressed > 50  # the walk really pressed things
    assert outside == []
