"""Masking of personal data for roles that do not need to see it in full, and the check of a
resident identity number (GB 11643)."""

import re
import unicodedata
from datetime import date


def mask_phone(phone: str) -> str:
    """138****5678: enough to recognise a number, not enough to call it. A shorter number
    (a landline, 83220000) keeps only its last two digits: ******00."""
    digits = phone.strip()
    if len(digits) >= 11:
        return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"
    shown = 2 if len(digits) > 4 else 0
    return "*" * (len(digits) - shown) + digits[len(digits) - shown:]


def can_see_phone_numbers(user) -> bool:
    return user.is_authenticated and user.has_role("dispatcher")


def phone_shown_to(user, phone: str, *, needs_it: bool = False) -> str:
    """The number in full for the command centre, or for someone who `needs_it` (a case's
    handler calling the resident back); masked for everyone else."""
    return phone if needs_it or can_see_phone_numbers(user) else mask_phone(phone)


# GB 11643-1999: 17 digits (6 of the address code, 8 of the birth date, 3 of the sequence) and a
# check character computed from them, 0-9 or X. ASCII digits only (a bare \d takes any script's
# digits), matched whole (with "$", a trailing newline would pass).
ID_NUMBER_PATTERN = re.compile(r"[0-9]{17}[0-9X]")
ID_NUMBER_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK_CHARACTERS = "10X98765432"


def id_number_check_character(first17: str) -> str:
    """The check character of the 17 digits: ISO 7064 MOD 11-2."""
    return ID_CHECK_CHARACTERS[sum(int(digit) * weight for digit, weight in zip(first17, ID_NUMBER_WEIGHTS)) % 11]


def id_number_normalised(value: str) -> str:
    """Spaces dropped, full-width digits and letters (a Chinese input method's) made plain, and a
    lower-case x raised, as people type it."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or "")).upper()


def id_number_problem(value: str) -> str | None:
    """Why `value` (normalised) is not a valid 18-character resident identity number, or None."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    if not ID_NUMBER_PATTERN.fullmatch(value):
        return _("An ID number has 18 characters: 17 digits and a last digit or X.")
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return _("Characters 7 to 14 of an ID number are a date of birth; %(digits)s is not a date.") % {"digits": value[6:14]}
    if born > timezone.localdate():
        return _("Characters 7 to 14 of an ID number are a date of birth; %(digits)s is in the future.") % {"digits": value[6:14]}
    expected = id_number_check_character(value[:17])
    if value[17] != expected:
        return _("The last character of this ID number should be %(expected)s: check it for a mistyped digit.") % {"expected": expected}
    return None


def mask_id_number(value: str) -> str:
    """320724********1234: the region and the last four, not the date of birth."""
    if len(value) <= 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"
