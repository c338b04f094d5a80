"""Free text is stored without control characters or invisible direction marks, from any writer."""

from accounts.models import Department
from govgrid.text import clean_text


def test_controls_and_direction_marks_go_and_lines_stay_where_they_may():
    assert clean_text("a\x07b\x1b[0m\u202ec\r\nd\te") == "ab[0mc\nd\te"
    assert clean_text("a\nb\tc", one_line=True) == "a b c"


def test_a_name_differing_only_by_an_invisible_mark_fails_the_admins_uniqueness_check(admin_client, db):
    Department.objects.create(code="CG", name="城市管理局")
    response = admin_client.post("/admin/accounts/department/add/", {"code": "CG2", "name": "城市管理局\u200e", "phone": ""})
    assert response.status_code == 200  # the form again, with its message, not a 500
    assert "name" in response.context["adminform"].form.errors
    assert Department.objects.count() == 1
