"""Canonical JSON text: the one spelling of each value that every replica writes (docs/protocol.md section 5).

Registers are compared by their JSON text when two writes carry the same timestamp, and keys are matched by text, so
both implementations must spell equal values identically. The rules here follow the C# ``CanonicalJson`` class
(src/Liblim.EfCore/Values/CanonicalJson.cs); SPEC-NOTES.md gives the grammar of each and why.

Also here: a JSON reader that keeps number literals as written (Python's ``json`` would turn ``1.50`` into 1.5 and
lose the text), refuses ``NaN``/``Infinity`` literals and reports members given twice.
"""

from __future__ import annotations

import json
from decimal import Decimal

# ---- strings ------------------------------------------------------------------------------------------------------

_SHORT_ESCAPES = {'"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f'}


def join_surrogates(s: str) -> str:
    """Turns surrogate pairs held as two code points into the one character they encode (lone surrogates stay)."""
    if not any(0xD800 <= ord(c) <= 0xDFFF for c in s):
        return s
    return s.encode('utf-16-be', 'surrogatepass').decode('utf-16-be', 'surrogatepass')


def has_lone_surrogate(s: str) -> bool:
    """Whether the text is not Unicode: it holds half a UTF-16 surrogate pair."""
    return any(0xD800 <= ord(c) <= 0xDFFF for c in join_surrogates(s))


def quote(s: str) -> str:
    """A JSON string as C#'s ``CanonicalJson.Quote`` writes it.

    Escaped: ``"`` and ``\\`` (with a backslash), ``\\n \\r \\t \\b \\f``, every other character below U+0020 as
    ``\\u00xx`` with lowercase hex, and a lone surrogate as ``\\udxxx`` (lowercase). Everything else, U+007F,
    non-ASCII and characters beyond the BMP included, is written as itself (UTF-8 on the wire).
    """
    s = join_surrogates(s)
    out = ['"']
    for c in s:
        o = ord(c)
        if c in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[c])
        elif o < 0x20 or 0xD800 <= o <= 0xDFFF:
            out.append('\\u%04x' % o)
        else:
            out.append(c)
    out.append('"')
    return ''.join(out)


def utf16_key(s: str) -> bytes:
    """A sort key giving .NET's ordinal order (UTF-16 code units): the text as UTF-16 big-endian bytes."""
    return join_surrogates(s).encode('utf-16-be', 'surrogatepass')


def ordinal_compare(a: str, b: str) -> int:
    """-1, 0 or 1 as ``string.CompareOrdinal`` compares the two texts."""
    ka, kb = utf16_key(a), utf16_key(b)
    return (ka > kb) - (ka < kb)


# ---- numbers ------------------------------------------------------------------------------------------------------

def _digits_and_scale(text: str) -> tuple[str, int]:
    """The significant digits of a decimal number's text and its scale (value = 0.<digits> x 10^scale)."""
    sign, digits, exponent = Decimal(text).as_tuple()
    ds = ''.join(map(str, digits)).rstrip('0')
    if not ds:
        return '0', 1
    return ds, len(digits) + exponent


def _dotnet_general(negative: bool, digits: str, scale: int, precision: int) -> str:
    """.NET's "R" layout of shortest round-trip digits: fixed notation unless the scale is beyond the digits shown
    (max(len(digits), 17) for a double, 9 for a float) or below -3, then ``d.dddE+xx`` with at least two exponent digits."""
    if digits == '0':
        return '0'
    sign = '-' if negative else ''
    if scale > max(len(digits), precision) or scale < -3:
        mantissa = digits[0] + ('.' + digits[1:] if len(digits) > 1 else '')
        e = scale - 1
        return f"{sign}{mantissa}E{'+' if e >= 0 else '-'}{abs(e):02d}"
    if scale <= 0:
        return f"{sign}0.{'0' * -scale}{digits}"
    if scale >= len(digits):
        return sign + digits + '0' * (scale - len(digits))
    return f"{sign}{digits[:scale]}.{digits[scale:]}"


def format_double(x: float) -> str:
    """A double as its canonical JSON: .NET's ``ToString("R")`` (shortest round-trip digits, ``1E+21``, ``1E-07``,
    ``100``), NaN and the infinities as the strings ``"NaN"``, ``"Infinity"``, ``"-Infinity"``; -0.0 is written ``0``,
    as a C# replica on SQLite writes it (SQLite keeps no negative zero, and the canonical text is what the database
    holds)."""
    if x != x:
        return '"NaN"'
    if x in (float('inf'), float('-inf')):
        return '"Infinity"' if x > 0 else '"-Infinity"'
    if x == 0:
        return '0'
    digits, scale = _digits_and_scale(repr(abs(x)))
    return _dotnet_general(x < 0, digits, scale, 17)


def to_single(x: float) -> float:
    """The float32 nearest to x (Python floats are doubles)."""
    import struct
    return struct.unpack('<f', struct.pack('<f', x))[0]


def format_single(x: float) -> str:
    """A float32 (given as the Python float holding it exactly) as .NET's ``float.ToString("R")``: the shortest digits
    that read back as the same float32, switching to exponent form beyond max(digits, 9)."""
    if x != x or x in (float('inf'), float('-inf')):
        return format_double(x)
    if x == 0:
        return '0'
    for n in range(1, 10):
        text = f"{abs(x):.{n - 1}e}"
        if to_single(float(text)) == abs(x):
            break
    digits, scale = _digits_and_scale(text)
    return _dotnet_general(x < 0, digits, scale, 9)


# ---- reading JSON -------------------------------------------------------------------------------------------------

class JsonNumber(str):
    """A JSON number literal as written (so ``1.50`` stays ``1.50`` until a column type reads it)."""


class JsonObject(list):
    """A JSON object as its list of (name, value) members, in order, duplicates kept (the caller decides)."""

    def names(self) -> list[str]:
        return [name for name, _ in self]


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_float=JsonNumber, parse_int=JsonNumber, parse_constant=_no_constant,
                            object_pairs_hook=JsonObject, strict=True)


def parse_json(text: str, max_depth: int = 64):
    """Parses JSON text into None/bool/str/JsonNumber/list/JsonObject. Raises ValueError when it is not JSON, or
    nests deeper than ``max_depth``."""
    try:
        value = _DECODER.decode(text)
    except RecursionError as e:
        raise ValueError('JSON nested too deeply') from e
    if _depth(value) > max_depth:
        raise ValueError('JSON nested too deeply')
    return value


def _depth(value) -> int:
    if isinstance(value, JsonObject):
        return 1 + max((_depth(v) for _, v in value), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def dump_json(value) -> str:
    """Compact JSON of a parsed value: numbers as written, strings as ``quote`` spells them."""
    if value is None:
        return 'null'
    if value is True:
        return 'true'
    if value is False:
        return 'false'
    if isinstance(value, JsonNumber):
        return str(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, JsonObject):
        return '{' + ','.join(quote(k) + ':' + dump_json(v) for k, v in value) + '}'
    if isinstance(value, list):
        return '[' + ','.join(dump_json(v) for v in value) + ']'
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, int):
        return str(value)
    raise TypeError(f"not a JSON value: {value!r}")


def is_integer_literal(text: str) -> bool:
    """A JSON integer literal: an optional minus, then 0 or a digit 1-9 followed by digits (no fraction, no exponent)."""
    body = text[1:] if text.startswith('-') else text
    return body.isascii() and body.isdigit() and (body == '0' or body[0] != '0')
