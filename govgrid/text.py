"""Free text as it is stored: no control characters, no invisible direction changes.

A bell or an escape sequence in a description rings terminals and garbles e-mails; a
right-to-left override makes text read other than it is stored ("gpj.exe" shown as "exe.jpg").
Every free-text column strips them on save (the fields below), whoever writes: the API, the
pages, the admin, a task.
"""

import re

from django.db import models

# C0 controls except tab and newline, DEL, C1 controls, and the bidirectional marks,
# embeddings, overrides and isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("[\t\n]+")


def clean_text(value: str, *, one_line: bool = False) -> str:
    value = _UNSAFE.sub("", value.replace("\r\n", "\n"))
    return _LINE_BREAKS.sub(" ", value) if one_line else value


class _Cleaned:
    one_line = False

    def to_python(self, value):
        # Cleaned before validation too, so that a name that differs from another only by an
        # invisible mark fails the uniqueness check with a message rather than the insert.
        value = super().to_python(value)
        return clean_text(value, one_line=self.one_line) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        if isinstance(value, str):
            value = clean_text(value, one_line=self.one_line)
            setattr(model_instance, self.attname, value)
        return value


class CleanCharField(_Cleaned, models.CharField):
    """A CharField of one line of plain text."""

    one_line = True


class CleanTextField(_Cleaned, models.TextField):
    """A TextField of plain text; tabs and line breaks are kept."""
