from tests.english import _in_english, api  # noqa: F401
