import pytest

from accounts.privacy import mask_phone


@pytest.mark.parametrize(
    ("phone", "shown"),
    [
        ("13812345678", "138****5678"),
        ("+8613812345678", "+86*******5678"),
        ("1381234", "*****34"),
        ("83220000", "******00"),
        ("0518-8322", "*******22"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_it_masks_enough_of_every_number(phone, shown):
    assert mask_phone(phone) == shown
