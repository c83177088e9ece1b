"""Column types: how a value of each type travels (canonical JSON), is checked when it arrives, and is stored in SQLite.

A type reads a received JSON value (already parsed by ``canonical.parse_json``) into its canonical text, or raises
``ValueRejected`` (the batch holding it is refused with ``rejected``: the row is well formed, but this database cannot
take the value). It also turns an app's Python value into canonical text for a local write, and canonical text into
the Python value an app reads. The names follow the C# types they interoperate with (docs/protocol.md section 5).
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, ROUND_HALF_UP, localcontext

from .canonical import (JsonNumber, format_double, format_single, has_lone_surrogate, is_integer_literal,
                        parse_json, quote, to_single)
from .errors import ValueRejected


class ColumnType:
    """One replicable type. Subclasses define ``from_json`` (received value -> canonical text) and the app side."""

    name = "?"
    sqlite = "TEXT"

    def canonical(self, value) -> str:
        """Canonical text of a parsed JSON value received from a peer (any JSON of the same meaning)."""
        raise NotImplementedError

    def encode(self, value) -> str:
        """Canonical text of an app's Python value."""
        raise NotImplementedError

    def decode(self, text: str):
        """The Python value an app reads for canonical text."""
        return parse_json(text)

    def to_sqlite(self, text: str):
        """What the data table stores for canonical text (the app's SQL sees ordinary columns)."""
        return self.decode(text)

    def default(self) -> str:
        """The canonical text shown for a required column a row has no register for (a newer/older peer's row)."""
        raise NotImplementedError


def _reject(what: str, value) -> ValueRejected:
    from .canonical import dump_json
    text = dump_json(value) if not isinstance(value, str) or isinstance(value, JsonNumber) else value
    if len(text) > 60:
        text = text[:57] + '...'
    return ValueRejected(f"the value {text} is not {what}")


class Text(ColumnType):
    name, sqlite = "text", "TEXT"

    def canonical(self, value):
        if not isinstance(value, str) or isinstance(value, JsonNumber):
            raise _reject("a string", value)
        if has_lone_surrogate(value):
            raise ValueRejected("the text holds half a UTF-16 surrogate pair (it is not Unicode)")
        return quote(value)

    def encode(self, value):
        if not isinstance(value, str):
            raise ValueRejected(f"{value!r} is not a str")
        return self.canonical(value)

    def default(self):
        return '""'


class Char(Text):
    """A .NET char: one UTF-16 code unit that is not a surrogate."""
    name = "char"

    def canonical(self, value):
        text = super().canonical(value)
        if len(value) != 1 or ord(value) > 0xFFFF:
            raise _reject("one character (a UTF-16 code unit)", value)
        return text

    def default(self):
        return '"\\u0000"'


class Bool(ColumnType):
    name, sqlite = "bool", "INTEGER"

    def canonical(self, value):
        if value is True or value is False:
            return 'true' if value else 'false'
        raise _reject("true or false", value)

    def encode(self, value):
        if not isinstance(value, bool):
            raise ValueRejected(f"{value!r} is not a bool")
        return self.canonical(value)

    def to_sqlite(self, text):
        return 1 if text == 'true' else 0

    def default(self):
        return 'false'


class Integer(ColumnType):
    """An integer of a given range (int8 ... uint64); enums travel as their underlying integer."""
    sqlite = "INTEGER"

    def __init__(self, name: str, low: int, high: int):
        self.name, self.low, self.high = name, low, high

    def canonical(self, value):
        if not isinstance(value, JsonNumber) or not is_integer_literal(value):
            raise _reject(f"an integer ({self.name})", value)
        n = int(value)
        if not self.low <= n <= self.high:
            raise _reject(f"an integer in the range of {self.name}", value)
        return str(n)

    def encode(self, value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueRejected(f"{value!r} is not an int")
        return self.canonical(JsonNumber(str(value)))

    def decode(self, text):
        return int(text)

    def to_sqlite(self, text):
        n = int(text)
        # SQLite integers are signed 64-bit: a uint64 above that is kept as text, as Microsoft.Data.Sqlite does not.
        return n if n < 1 << 63 else text

    def default(self):
        return '0'


class Double(ColumnType):
    """A double: shortest round-trip number, NaN and infinities as strings. NaN is refused: SQLite cannot hold it."""
    name, sqlite = "double", "REAL"
    single = False

    def _format(self, x: float) -> str:
        return format_single(x) if self.single else format_double(x)

    def canonical(self, value):
        if isinstance(value, JsonNumber):
            x = float(value)
            if x in (float('inf'), float('-inf')):
                raise _reject(f"a finite {self.name} (it overflows)", value)
        elif isinstance(value, str) and value in ('Infinity', '-Infinity'):
            x = float(value.replace('Infinity', 'inf'))
        elif isinstance(value, str) and value == 'NaN':
            raise ValueRejected("SQLite cannot store NaN (not a number). Replace NaN with null or a number on the replica that wrote it.")
        else:
            raise _reject(f"a number ({self.name})", value)
        if self.single:
            x = to_single(x)
            if x in (float('inf'), float('-inf')) and isinstance(value, JsonNumber):
                raise _reject("a finite float (it overflows)", value)
        return self._format(x)

    def encode(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueRejected(f"{value!r} is not a number")
        x = float(value)
        if x != x:
            raise ValueRejected("SQLite cannot store NaN (not a number).")
        return self._format(to_single(x) if self.single else x)

    def decode(self, text):
        v = parse_json(text)
        return float(v.replace('Infinity', 'inf')) if not isinstance(v, JsonNumber) else float(v)

    def default(self):
        return '0'


class Single(Double):
    name = "single"
    single = True


_DECIMAL_MAX = Decimal('79228162514264337593543950335')
_DECIMAL_TEXT = re.compile(r'^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$')


class DecimalType(ColumnType):
    """A .NET decimal, as a JSON string. Stored as SQLite stores it for the C# side: the invariant text with at least
    one decimal place and no trailing zeros ("0.0###########################"), so 12.50 travels as "12.5" and 40 as
    "40.0", the form a C# replica on SQLite writes."""
    name, sqlite = "decimal", "TEXT"

    def canonical(self, value):
        if not isinstance(value, str) or isinstance(value, JsonNumber) or not _DECIMAL_TEXT.match(value):
            raise _reject("a decimal (a JSON string of its invariant text)", value)
        try:
            d = Decimal(value.strip())
        except InvalidOperation:
            raise _reject("a decimal", value)
        return quote(self._text(d, value))

    def _text(self, d: Decimal, shown) -> str:
        if d.copy_abs() > _DECIMAL_MAX:  # not abs(): it rounds to the context's 28 digits, and .NET's max has 29
            raise _reject("a decimal in .NET's range", shown)
        if d.as_tuple().exponent < -28:
            with localcontext() as exact:
                exact.prec = 100
                d = d.quantize(Decimal(1).scaleb(-28), rounding=ROUND_HALF_UP)
        text = format(d, 'f')
        if '.' in text:
            text = text.rstrip('0').rstrip('.')
        if '.' not in text and abs(int(text)) * 10 <= _DECIMAL_MAX:
            text += '.0'
        # else no ".0", as C# writes it: .NET reads "X.0" back as X with scale 0 when X*10 exceeds its 96-bit
        # mantissa (decimal.MaxValue travels as "79228162514264337593543950335"; SPEC-NOTES.md)
        if text.strip('-0.') == '':
            text = '0.0'
        return text

    def encode(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
            raise ValueRejected(f"{value!r} is not a Decimal")
        return self.canonical(str(value))

    def decode(self, text):
        return Decimal(parse_json(text))

    def to_sqlite(self, text):
        return parse_json(text)

    def default(self):
        return '"0.0"'


_GUID_FORMS = re.compile(r'^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'
                         r'|\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}'
                         r'|\([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\))$')


class Guid(ColumnType):
    name, sqlite = "guid", "TEXT"

    def canonical(self, value):
        if not isinstance(value, str) or isinstance(value, JsonNumber) or not _GUID_FORMS.match(value.strip()):
            raise _reject("a Guid", value)
        return quote(str(uuid.UUID(value.strip().strip('{}()'))))

    def encode(self, value):
        return self.canonical(str(value))

    def decode(self, text):
        return uuid.UUID(parse_json(text))

    def to_sqlite(self, text):
        # Microsoft.Data.Sqlite stores a Guid as uppercase text by default; the Python replica keeps the canonical
        # lowercase text. (Only this replica's own tables see it.)
        return parse_json(text)

    def default(self):
        return '"00000000-0000-0000-0000-000000000000"'


class Bytes(ColumnType):
    name, sqlite = "bytes", "BLOB"

    def canonical(self, value):
        if not isinstance(value, str) or isinstance(value, JsonNumber):
            raise _reject("base64 bytes", value)
        compact = re.sub(r'[ \t\r\n]', '', value)
        try:
            raw = base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError):
            raise _reject("base64 bytes", value)
        return quote(base64.b64encode(raw).decode('ascii'))

    def encode(self, value):
        if not isinstance(value, (bytes, bytearray)):
            raise ValueRejected(f"{value!r} is not bytes")
        return quote(base64.b64encode(bytes(value)).decode('ascii'))

    def decode(self, text):
        return base64.b64decode(parse_json(text))

    def default(self):
        return '""'


class _Pattern(ColumnType):
    """A time type written as a JSON string of one exact pattern. Apps read the canonical text (Python's own types
    hold only microseconds, these hold 100 ns), and may write either that text or a Python datetime/date/time."""
    pattern: re.Pattern
    what = ""

    def canonical(self, value):
        if not isinstance(value, str) or isinstance(value, JsonNumber):
            raise _reject(self.what, value)
        m = self.pattern.match(value)
        if not m or not self._valid(m):
            raise _reject(self.what, value)
        return quote(self._canonical(m, value))

    def _valid(self, m) -> bool:
        return True

    def _canonical(self, m, value: str) -> str:
        return value

    def decode(self, text):
        return parse_json(text)


def _valid_date(y, mo, d) -> bool:
    try:
        _dt.date(int(y), int(mo), int(d))
        return True
    except ValueError:
        return False


def _valid_time(h, mi, s) -> bool:
    return int(h) < 24 and int(mi) < 60 and int(s) < 60


class DateTime(_Pattern):
    name, what = "datetime", 'a UTC time "yyyy-MM-ddTHH:mm:ss.fffffffZ"'
    pattern = re.compile(r'^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{7}Z$')

    def _valid(self, m):
        return int(m[1]) >= 1 and _valid_date(m[1], m[2], m[3]) and _valid_time(m[4], m[5], m[6])

    def encode(self, value):
        if isinstance(value, _dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
            return quote(value.strftime('%Y-%m-%dT%H:%M:%S.') + f"{value.microsecond:06d}0Z")
        return self.canonical(value)

    def default(self):
        return '"0001-01-01T00:00:00.0000000Z"'


class DateTimeOffset(_Pattern):
    name, what = "datetimeoffset", 'a time "yyyy-MM-ddTHH:mm:ss.fffffff+hh:mm"'
    pattern = re.compile(r'^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{7}([+-])(\d{2}):(\d{2})$')

    def _valid(self, m):
        return (int(m[1]) >= 1 and _valid_date(m[1], m[2], m[3]) and _valid_time(m[4], m[5], m[6])
                and int(m[8]) * 60 + int(m[9]) <= 14 * 60 and int(m[9]) < 60)

    def encode(self, value):
        if isinstance(value, _dt.datetime):
            if value.tzinfo is None:
                raise ValueRejected("a datetimeoffset needs an aware datetime")
            off = value.utcoffset()
            minutes = int(off.total_seconds() // 60)
            sign = '-' if minutes < 0 else '+'
            minutes = abs(minutes)
            return quote(value.strftime('%Y-%m-%dT%H:%M:%S.') + f"{value.microsecond:06d}0{sign}{minutes // 60:02d}:{minutes % 60:02d}")
        return self.canonical(value)

    def default(self):
        return '"0001-01-01T00:00:00.0000000+00:00"'


class Date(_Pattern):
    name, what = "date", 'a date "yyyy-MM-dd"'
    pattern = re.compile(r'^(\d{4})-(\d{2})-(\d{2})$')

    def _valid(self, m):
        return int(m[1]) >= 1 and _valid_date(m[1], m[2], m[3])

    def encode(self, value):
        if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
            return quote(value.isoformat())
        return self.canonical(value)

    def decode(self, text):
        return _dt.date.fromisoformat(parse_json(text))

    def default(self):
        return '"0001-01-01"'


class Time(_Pattern):
    name, what = "time", 'a time of day "HH:mm:ss.fffffff"'
    pattern = re.compile(r'^(\d{2}):(\d{2}):(\d{2})\.\d{7}$')

    def _valid(self, m):
        return _valid_time(m[1], m[2], m[3])

    def encode(self, value):
        if isinstance(value, _dt.time):
            return quote(value.strftime('%H:%M:%S.') + f"{value.microsecond:06d}0")
        return self.canonical(value)

    def default(self):
        return '"00:00:00.0000000"'


class TimeSpan(_Pattern):
    """A .NET TimeSpan in its constant ("c") format, ``[-][d.]hh:mm:ss[.fffffff]``; the fraction is written with 7
    digits when it is not zero, and left out when it is."""
    name, what = "timespan", 'a time span "[-][d.]hh:mm:ss[.fffffff]"'
    pattern = re.compile(r'^(-)?(?:(\d{1,8})\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$')
    _MAX_TICKS = (1 << 63) - 1

    def _ticks(self, m) -> int | None:
        h, mi, s = int(m[3]), int(m[4]), int(m[5])
        if h > 23 or mi > 59 or s > 59:
            return None
        frac = int((m[6] or '0').ljust(7, '0'))
        ticks = ((((int(m[2] or 0) * 24 + h) * 60 + mi) * 60 + s) * 10_000_000) + frac
        if ticks > self._MAX_TICKS + (1 if m[1] else 0):
            return None
        return -ticks if m[1] else ticks

    def _valid(self, m):
        return self._ticks(m) is not None

    def _canonical(self, m, value):
        return self.format_ticks(self._ticks(m))

    @staticmethod
    def format_ticks(ticks: int) -> str:
        sign = '-' if ticks < 0 else ''
        ticks = abs(ticks)
        frac = ticks % 10_000_000
        total = ticks // 10_000_000
        days, rest = divmod(total, 86400)
        h, rest = divmod(rest, 3600)
        mi, s = divmod(rest, 60)
        text = f"{sign}{str(days) + '.' if days else ''}{h:02d}:{mi:02d}:{s:02d}"
        return text + (f".{frac:07d}" if frac else '')

    def encode(self, value):
        if isinstance(value, _dt.timedelta):
            ticks = (value.days * 86400 + value.seconds) * 10_000_000 + value.microseconds * 10
            return quote(self.format_ticks(ticks))
        return self.canonical(value)

    def default(self):
        return '"00:00:00"'


TYPES: dict[str, ColumnType] = {t.name: t for t in [
    Text(), Char(), Bool(),
    Integer("int8", -(1 << 7), (1 << 7) - 1), Integer("uint8", 0, (1 << 8) - 1),
    Integer("int16", -(1 << 15), (1 << 15) - 1), Integer("uint16", 0, (1 << 16) - 1),
    Integer("int32", -(1 << 31), (1 << 31) - 1), Integer("uint32", 0, (1 << 32) - 1),
    Integer("int64", -(1 << 63), (1 << 63) - 1), Integer("uint64", 0, (1 << 64) - 1),
    Double(), Single(), DecimalType(), Guid(), Bytes(), DateTime(), DateTimeOffset(), Date(), Time(), TimeSpan(),
]}
TYPES["int"] = TYPES["int32"]
TYPES["long"] = TYPES["int64"]
TYPES["float"] = TYPES["single"]
TYPES["string"] = TYPES["text"]
TYPES["uuid"] = TYPES["guid"]


@dataclass(frozen=True)
class Column:
    """A replicated column: its name (the register's name on the wire), its type, and whether null is allowed."""
    name: str
    type: str
    nullable: bool = False

    @property
    def kind(self) -> ColumnType:
        try:
            return TYPES[self.type]
        except KeyError:
            raise ValueError(f"unknown column type {self.type!r}; the types are {', '.join(sorted(TYPES))}") from None

    def canonical(self, value) -> str:
        """Canonical text of a received JSON value (parsed), or ValueRejected."""
        if value is None:
            if not self.nullable:
                raise ValueRejected("null is not a value of the required column")
            return 'null'
        return self.kind.canonical(value)

    def encode(self, value) -> str:
        """Canonical text of an app's value."""
        if value is None:
            if not self.nullable:
                raise ValueRejected(f"column {self.name} is required: None is not a value of it")
            return 'null'
        return self.kind.encode(value)

    def decode(self, text: str):
        return None if text == 'null' else self.kind.decode(text)

    def to_sqlite(self, text: str):
        return None if text == 'null' else self.kind.to_sqlite(text)

    def default(self) -> str:
        return 'null' if self.nullable else self.kind.default()
