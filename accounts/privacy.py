"""Masking of personal data for roles that do not need to see it in full."""


def mask_phone(phone: str) -> str:
    """138****5678: enough to recognise a number, not enough to call it."""
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def can_see_phone_numbers(user) -> bool:
    return user.is_authenticated and user.has_role("dispatcher")
