"""Chinese first, English on request."""

import re

from .incidents.helpers import case_in


def test_api_messages_are_in_chinese_by_default(api, users, categories):
    incident = case_in("reported", users, categories)
    response = api("dispatcher").post(f"/api/v1/incidents/{incident.pk}/close/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == "事件当前状态为“已上报”，不能执行“销号”。"


def test_api_messages_follow_accept_language(api, users, categories):
    incident = case_in("reported", users, categories)
    response = api("dispatcher").post(f"/api/v1/incidents/{incident.pk}/close/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] == "Cannot Close an incident that is Reported."


def test_field_messages_are_translated(api, users, categories):
    response = api("worker_a").post("/api/v1/incidents/", {"category": "01", "description": "x", "latitude": 34.08, "longitude": 119.34}, format="json")
    assert response.json()["category"] == ["请选择一个启用的小类。"]


def test_the_login_page_is_chinese_first(client, db):
    assert "登录" in client.get("/accounts/login/").content.decode()


def test_pages_are_chinese_even_for_an_english_browser(client, db):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans">' in page.content.decode()


def test_pages_switch_to_english_when_the_user_chooses_it(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/accounts/login/")
    assert '<html lang="en">' in page.content.decode()


def test_every_message_has_a_chinese_translation(settings):
    catalogue = (settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text()
    assert "#, fuzzy" not in catalogue
    untranslated = re.findall(r'msgid "(.*)"\nmsgstr ""\n(?!")', catalogue)
    assert untranslated == []
