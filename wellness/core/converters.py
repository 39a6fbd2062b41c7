"""URL path converters shared by every app."""

from __future__ import annotations


class DatabaseId:
    """``<dbid:name>``: an id that fits a bigint column.

    Longer numbers do not match, so they are a 404 like any unknown id instead of an overflow
    inside the database query.
    """

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
