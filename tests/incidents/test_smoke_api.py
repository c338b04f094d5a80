from tests.conftest import IN_GRID_A


def test_a_worker_reports_and_the_loop_closes(api, users, categories, run_sent_tasks):
    response = api("worker_a").post("/api/v1/incidents/", {"category": "0101", "description": "路边垃圾堆积", **IN_GRID_A}, format="json")
    assert response.status_code == 201, response.content
    incident = response.json()
    assert incident["grid"] == "320724100001001"
    assert incident["status"] == "reported"
    assert incident["deadline"]
    url = f"/api/v1/incidents/{incident['id']}"
    assert api("dispatcher").post(f"{url}/assign/", {"assignee": users["worker_a"].pk}, format="json").status_code == 200
    assert api("worker_a").post(f"{url}/handle/", {"note": "已清理"}, format="multipart").status_code == 200
    assert api("inspector").post(f"{url}/inspect/", {"passed": True}, format="json").status_code == 200
    closed = api("dispatcher").post(f"{url}/close/", {}, format="json")
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert [e["action"] for e in closed.json()["events"]] == ["report", "assign", "handle", "inspect", "close"]
    assert run_sent_tasks() >= 5
    summary = api("official").get("/api/v1/stats/summary/").json()
    assert summary["due"] == 1 and summary["completion_rate"] == 100.0
