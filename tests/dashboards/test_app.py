"""The app serves its pages over the published snapshot."""

from __future__ import annotations

from app import create_app
from dashboards.auth import Scope
from dashboards.queries import loaded_overview
from pipelines.run import run_pipeline
from tests.conftest import TODAY, login, put
from tests.dashboards.test_access import call


def test_loaded_data_summary_and_app_serves(settings, inbox):
    put(inbox, "_base_cases.csv", "services_end_before_start_service.csv")
    run_pipeline(settings, inbox, today=TODAY)

    info = loaded_overview(Scope(settings, "a", "analyst", None))
    assert info["jurisdiction"] == "铁岭市"
    rows = {
        (r["dataset"], r["district_name"]): r["rows"] for r in info["summary"].iter_rows(named=True)
    }
    assert rows == {("cases", "银州区"): 4, ("services", "银州区"): 3}
    # The run that published the snapshot, with its figures (it is recorded in the snapshot
    # while it publishes).
    assert info["run"]["run_id"] == 1 and info["run"]["rows_loaded"] == 7

    client = login(create_app(settings).server.test_client(), settings, "ana", "analyst")
    response = client.get("/")
    assert response.status_code == 200
    assert "康复目标监测" in response.get_data(as_text=True)
    # Assets are served by the app itself, never from a CDN.
    assert "unpkg.com" not in response.get_data(as_text=True)


def test_empty_data_directory_says_how_to_load(settings):
    assert loaded_overview(Scope(settings, "a", "admin", None)) == {"published": None}
    client = login(create_app(settings).server.test_client(), settings, "boss", "admin")
    assert client.get("/").status_code == 200
    # The overview, rendered as the browser asks for it, says what to do instead of failing.
    for lang, words in (("zh", "请将文件放入数据目录的 inbox/"), ("en", "Nothing published yet")):
        response = call(client, [("overview-content", "children")],
                        [("shell-programme", "value", None), ("shell-year", "value", None),
                         ("shell-lang", "value", lang), ("shell-as-of-select", "value", None),
                         ("overview-area", "data", None), ("shell-snapshot", "data", None)])  # fmt: skip
        assert response.status_code == 200
        shown = response.get_json()["response"]["overview-content"]["children"]
        assert shown["props"]["id"] == "overview-empty" and words in shown["props"]["children"]
    # The shell has no programme or year to offer: changing the (empty) year gives no dates.
    shell = [("url", "search"), ("shell-programme", "value"), ("shell-year", "value"),
             ("shell-as-of-select", "options"), ("shell-as-of-select", "value")]  # fmt: skip
    response = call(client, shell,
                    [("url", "search", ""), ("shell-programme", "value", None),
                     ("shell-year", "value", None), ("shell-as-of-select", "value", None)],
                    changed="shell-year.value")  # fmt: skip
    assert response.status_code == 200
    assert response.get_json()["response"]["shell-as-of-select"] == {"options": [], "value": None}
