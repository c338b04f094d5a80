"""Masking of personal data for roles that do not need to see it in full."""


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
