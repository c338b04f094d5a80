"""The GB 11643 check of ID numbers, their mask, and the record of who saw personal data in full."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from accounts.models import PersonalDataView
from accounts.privacy import id_number_check_character, id_number_normalised, id_number_problem, mask_id_number
from accounts.services import personal_data_views_record

# A number with a check character of X, and one with a digit (computed by hand from the weights).
WITH_X = "11010519491231002X"
WITH_DIGIT = "320724199003070018"


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("number", [WITH_X, WITH_DIGIT])
def test_a_valid_number_has_no_problem(number):
    assert id_number_problem(number) is None


def test_a_wrong_check_character_names_the_expected_one():
    assert "should be X" in id_number_problem(WITH_X[:-1] + "1")
    assert "should be 8" in id_number_problem(WITH_DIGIT[:-1] + "9")


@pytest.mark.parametrize("number", ["", "32072419900307001", "3207241990030700188", "32072419900307001Y", "X20724199003070018", WITH_DIGIT + "\n"])
def test_a_number_of_the_wrong_shape_is_refused(number):
    assert "18 characters" in id_number_problem(number)


def test_digits_of_another_script_are_not_digits_here():
    arabic_indic = "".join(chr(0x0660 + int(c)) for c in WITH_DIGIT)
    assert "18 characters" in id_number_problem(arabic_indic)


def test_the_date_of_birth_must_be_a_date_and_not_in_the_future():
    first17 = "32072419900230001"
    assert "19900230 is not a date" in id_number_problem(first17 + id_number_check_character(first17))
    next_year = timezone.localdate() + timedelta(days=366)
    first17 = f"320724{next_year:%Y%m%d}001"
    assert "in the future" in id_number_problem(first17 + id_number_check_character(first17))


def test_numbers_are_normalised_as_people_type_them():
    assert id_number_normalised(" 110105 19491231 002x ") == WITH_X
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in WITH_X)  # a Chinese input method's digits and Ｘ
    assert id_number_normalised(full_width) == WITH_X
    assert id_number_normalised(None) == ""


@pytest.mark.parametrize(("number", "masked"), [(WITH_DIGIT, "320724********0018"), (WITH_X, "110105********002X"), ("1234567890", "**********"), ("", "")])
def test_the_mask_keeps_the_region_and_the_last_four_only(number, masked):
    assert mask_id_number(number) == masked


@pytest.mark.django_db
def test_each_record_seen_is_written_in_one_insert(users, grid_a, django_assert_num_queries):
    at = timezone.now()
    with django_assert_num_queries(1):
        count = personal_data_views_record(viewer=users["dispatcher"], records=[grid_a, users["worker_a"]], fields=["phone"], where="/x/?q=1", at=at)
    assert count == 2
    views = sorted(PersonalDataView.objects.all(), key=lambda view: view.record_type)
    assert [(view.record_type, view.record_id, view.record) for view in views] == [
        ("accounts.user", users["worker_a"].pk, "worker_a"), ("grids.grid", grid_a.pk, str(grid_a)),
    ]
    assert all(view.viewer == users["dispatcher"] and view.fields == ["phone"] and view.where == "/x/?q=1" and view.at == at for view in views)


@pytest.mark.django_db
def test_an_empty_list_records_nothing_and_costs_no_query(users, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert personal_data_views_record(viewer=users["dispatcher"], records=[], fields=["phone"], where="/") == 0


@pytest.mark.django_db
def test_a_long_address_is_cut_to_fit(users, grid_a):
    personal_data_views_record(viewer=users["dispatcher"], records=[grid_a], fields=["phone"], where="/" + "a" * 500)
    assert len(PersonalDataView.objects.get().where) == 200
