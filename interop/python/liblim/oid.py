"""Row ids on the wire: ``<table>/<key>`` (docs/protocol.md section 5, "Row id").

Both parts escape ``%``, ``/``, ``:``, space and the control characters U+0000-U+001F and U+007F as ``%XX`` (two
uppercase hex digits); no other character may be escaped. So an oid holds no space, colon or line break, and the first
colon of a row line ends it.
"""

from __future__ import annotations

import json

from .canonical import dump_json, parse_json


def _must_escape(c: str) -> bool:
    return c in '%/: ' or ord(c) < 0x20 or c == '\x7f'


def escape(text: str) -> str:
    return ''.join(f"%{ord(c):02X}" if _must_escape(c) else c for c in text)


def unescape(text: str) -> str:
    """The text of an escaped part; ValueError for an unescaped character that must be escaped, a lowercase or
    missing hex digit, or an escape of a character that must not be escaped."""
    out = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == '%':
            hx = text[i + 1:i + 3]
            if len(hx) != 2 or any(ch not in '0123456789ABCDEF' for ch in hx) or not _must_escape(chr(int(hx, 16))):
                raise ValueError("an object id holds a '%' that is not followed by the two uppercase hex digits of an "
                                 "escaped character")
            out.append(chr(int(hx, 16)))
            i += 3
        elif _must_escape(c):
            raise ValueError(f"an object id holds an unescaped character U+{ord(c):04X}")
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def encode(table: str, key: str) -> str:
    return escape(table) + '/' + escape(key)


def decode(oid: str) -> tuple[str, str]:
    """(table, canonical key text); ValueError when the text is no oid. The key is not checked to be a JSON array
    here: a key that is not one is a ``rejected`` batch (section 6), not a malformed line."""
    parts = oid.split('/')
    if len(parts) != 2 or not parts[0] or not parts[1]:
        raise ValueError("an object id is '<table>/<key>' with both parts non-empty and '/' percent-encoded")
    return unescape(parts[0]), unescape(parts[1])


def key_text(values: list[str]) -> str:
    """The canonical key: a JSON array of the key columns' canonical values, without whitespace."""
    return '[' + ','.join(values) + ']'


def key_values(key: str, count: int) -> list:
    """The parsed JSON values of a key text; ValueError when it is not a JSON array of ``count`` values."""
    value = parse_json(key)
    if not isinstance(value, list) or type(value) is not list or len(value) != count:
        raise ValueError(f"key {key[:80]} is not a JSON array of {count} value(s)")
    return value
