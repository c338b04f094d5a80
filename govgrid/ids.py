"""Ids as the API and the URLs take them: whole numbers the database can hold.

A number past the database's integer (a fuzzer's 10**20) overflows in the driver, which Django
and DRF do not catch: a 500. Taken through these, it is a 400 with a field message, or a 404.
"""

from rest_framework import serializers

MAX_ID = 2**63 - 1
# In URLs: at most 18 digits, always below MAX_ID.
ID_PATTERN = r"[0-9]{1,18}"


def id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def related_id_field(field_class=serializers.PrimaryKeyRelatedField, **kwargs):
    return field_class(pk_field=id_field(), **kwargs)


class IdConverter:
    regex = ID_PATTERN

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)
