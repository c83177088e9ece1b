"""The lines of the protocol, parsed and written (docs/protocol.md sections 1-8). No I/O here.

``parse_line`` takes one line's bytes without its line ending and returns a message object, or raises the protocol
error the receiver answers with. Where a line is wrong in two ways, the first check below wins: the line's length
(framing), then UTF-8, then the row-line test (a ':' before any space), then the verb, then the verb's arguments.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from . import oid as oids
from .canonical import JsonNumber, JsonObject, is_integer_literal, parse_json
from .errors import BadLine, BadRow, UnknownVerb, error_for_code
from .rowstate import MalformedState, RowState, decode_state, encode_state
from .timestamps import parse_node

VERSION = 2  # the newest protocol version spoken: row states carry priors ("p")
OLDEST_VERSION = 1  # version 1: the same without priors
HELLO, HAVE, BATCH, BYE, EVICT, REFUSE, ERROR = 'ØHAI', 'IHAZ', 'UCANHAZ', 'KTHXBAI', 'NOMOAR', 'NOPE', 'OHNOES'
LIVE_FLAG, AUTHENTICATED_FLAG = 'live', 'authenticated'
WHOLE = 'whole'  # the IHAZ member asking for the whole feed (section 4)
_HEX32 = re.compile(r'^[0-9a-f]{32}$')
_INT64_MAX = (1 << 63) - 1


@dataclass(frozen=True)
class Hello:
    """``ØHAI <version> <node> <nonce>[ live][ authenticated]``."""
    version: int
    node: uuid.UUID
    nonce: str
    live: bool = False
    authenticated: bool = False


@dataclass(frozen=True)
class Proof:
    """``ØHAI <proof>``."""
    proof: str


@dataclass(frozen=True)
class Have:
    """``IHAZ {"<node>":<position>,...[,"whole":true]}``; ``whole`` asks the receiver to leave nothing out."""
    positions: dict
    whole: bool = False


@dataclass(frozen=True)
class BatchStart:
    """``UCANHAZ <position>``."""
    position: int


@dataclass(frozen=True)
class Row:
    """``<oid>:<json>``."""
    state: RowState


@dataclass(frozen=True)
class Evict:
    """``NOMOAR <oid>``."""
    table: str
    key: str


@dataclass(frozen=True)
class Refusal:
    """``NOPE <oid> <reason>``."""
    table: str
    key: str
    reason: str = ''


@dataclass(frozen=True)
class BatchEnd:
    """The empty line."""


@dataclass(frozen=True)
class Bye:
    """``KTHXBAI [{"received":n,"applied":n}]``."""
    received: int = 0
    applied: int = 0


@dataclass(frozen=True)
class Error:
    """``OHNOES <code> <message>``; ``code`` as sent (an unknown one reads as internal: see ``exception``)."""
    code: str
    text: str = ''

    def exception(self):
        cls = error_for_code(self.code)
        return cls(f"The peer reported: {self.text}", from_peer=True)


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[:n] + '…'


def parse_line(line: bytes):
    """One line (without its ending) as a message; raises the ProtocolError to answer with."""
    if not line:
        return BatchEnd()
    try:
        text = line.decode('utf-8', 'strict')
    except UnicodeDecodeError:
        raise BadLine("A line is not valid UTF-8.") from None
    colon, space = text.find(':'), text.find(' ')
    if colon > 0 and (space < 0 or colon < space):
        return _parse_row(text, colon)
    verb, rest = (text, '') if space < 0 else (text[:space], text[space + 1:])
    if verb == HELLO:
        return _parse_hello(rest)
    if verb == HAVE:
        return _parse_have(rest)
    if verb == BATCH:
        return BatchStart(_parse_position(rest))
    if verb == BYE:
        return _parse_bye(rest)
    if verb == EVICT:
        return Evict(*_parse_oid(rest, EVICT))
    if verb == REFUSE:
        sp = rest.find(' ')
        table, key = _parse_oid(rest if sp < 0 else rest[:sp], REFUSE)
        return Refusal(table, key, '' if sp < 0 else rest[sp + 1:])
    if verb == ERROR:
        sp = rest.find(' ')
        code = rest if sp < 0 else rest[:sp]
        if not code:
            raise BadLine("OHNOES is 'OHNOES <code> <message>'.")
        return Error(code, '' if sp < 0 else rest[sp + 1:])
    raise UnknownVerb(f"A line starts with '{_short(verb)}', which is not a verb of the liblim protocol (ØHAI, IHAZ, "
                      f"UCANHAZ, NOMOAR, NOPE, KTHXBAI, OHNOES) nor a row '<table>/<key>:<json>'.")


def _parse_row(text: str, colon: int) -> Row:
    try:
        table, key = oids.decode(text[:colon])
        return Row(decode_state(table, key, text[colon + 1:]))
    except (ValueError, MalformedState) as e:
        raise BadRow(f"A row line is malformed: {e} (row '{_short(text[:colon])}').") from None


def _parse_oid(text: str, verb: str) -> tuple[str, str]:
    try:
        return oids.decode(text)
    except ValueError as e:
        raise BadRow(f"{verb} names no row: {e} ('{_short(text)}').") from None


def _parse_hello(rest: str):
    parts = rest.split(' ')
    if len(parts) == 1:
        if _HEX32.match(parts[0]):
            return Proof(parts[0])
        raise BadLine("ØHAI's proof is not 32 lowercase hex digits.")
    if not 3 <= len(parts) <= 5:
        raise BadLine("ØHAI is 'ØHAI <version> <node-id> <nonce> [live] [authenticated]' or 'ØHAI <proof>'.")
    v = parts[0]
    if not (v.isascii() and v.isdigit()) or int(v) < 1 or int(v) > 2 ** 31 - 1:
        raise BadLine(f"ØHAI's version '{_short(v)}' is not a positive integer.")
    node = parse_node(parts[1])
    if node is None:
        raise BadLine(f"ØHAI's node id '{_short(parts[1])}' is not a UUID in lowercase 8-4-4-4-12 form.")
    if not _HEX32.match(parts[2]):
        raise BadLine("ØHAI's nonce is not 32 lowercase hex digits.")
    flags = parts[3:]
    for flag in flags:
        if flag not in (LIVE_FLAG, AUTHENTICATED_FLAG):
            raise BadLine(f"ØHAI's flag '{_short(flag)}' is unknown (the flags are 'live' and 'authenticated').")
    if len(set(flags)) != len(flags):
        raise BadLine("ØHAI names a flag twice.")
    return Hello(int(v), node, parts[2], LIVE_FLAG in flags, AUTHENTICATED_FLAG in flags)


def _json_argument(text: str, verb: str, max_depth: int = 2):
    try:
        return parse_json(text, max_depth=max_depth)
    except ValueError as e:
        raise BadLine(f"{verb}'s JSON is malformed: {e}") from None


def _count(value) -> int | None:
    """A non-negative 64-bit integer literal, else None."""
    if isinstance(value, JsonNumber) and is_integer_literal(value) and 0 <= int(value) <= _INT64_MAX:
        return int(value)
    return None


def _parse_have(rest: str) -> Have:
    doc = _json_argument(rest, HAVE)
    if not isinstance(doc, JsonObject):
        raise BadLine("IHAZ takes a JSON object of node ids to feed positions.")
    positions, whole = {}, None
    for name, value in doc:
        if name == WHOLE:
            if whole is not None or not isinstance(value, bool):
                raise BadLine(f'IHAZ\'s "{WHOLE}" is given twice or is not true or false.')
            whole = value
            continue
        node = parse_node(name)
        if node is None:
            raise BadLine(f"IHAZ's key '{_short(name)}' is neither a node id (a UUID) nor \"{WHOLE}\".")
        n = _count(value)
        if n is None:
            raise BadLine(f"IHAZ's position for {node} is not a non-negative integer.")
        if node in positions:
            raise BadLine(f"IHAZ names node {node} twice.")
        positions[node] = n
    return Have(positions, bool(whole))


def _parse_position(rest: str) -> int:
    if rest.isascii() and rest.isdigit() and int(rest) <= _INT64_MAX:
        return int(rest)
    raise BadLine(f"UCANHAZ takes one non-negative integer, the feed position the batch reaches; got '{_short(rest)}'.")


def _parse_bye(rest: str) -> Bye:
    if rest == '':
        return Bye()
    doc = _json_argument(rest, BYE, max_depth=64)  # unknown members may nest (section 7)
    if not isinstance(doc, JsonObject):
        raise BadLine('KTHXBAI takes nothing or a JSON object {"received":n,"applied":n}.')
    counts = {}
    for name, value in doc:
        if name in ('received', 'applied'):
            n = _count(value)
            if n is None:
                raise BadLine(f"KTHXBAI's '{name}' is not a non-negative integer.")
            counts[name] = n
        # Unknown members are ignored, whatever their value (section 7; see SPEC-NOTES.md).
    return Bye(counts.get('received', 0), counts.get('applied', 0))


# ---- writing ----------------------------------------------------------------------------------------------------

def _one_line(text: str) -> str:
    return text.replace('\r\n', ' ').replace('\n', ' ').replace('\r', ' ')


def format_message(m) -> str:
    """The text of one line, without its ``\\n``."""
    if isinstance(m, Hello):
        flags = (' ' + LIVE_FLAG if m.live else '') + (' ' + AUTHENTICATED_FLAG if m.authenticated else '')
        return f"{HELLO} {m.version} {m.node} {m.nonce}{flags}"
    if isinstance(m, Proof):
        return f"{HELLO} {m.proof}"
    if isinstance(m, Have):
        items = sorted((str(n), p) for n, p in m.positions.items())
        members = [f'"{n}":{p}' for n, p in items] + ([f'"{WHOLE}":true'] if m.whole else [])
        return HAVE + ' {' + ','.join(members) + '}'
    if isinstance(m, BatchStart):
        return f"{BATCH} {m.position}"
    if isinstance(m, Row):
        return oids.encode(m.state.table, m.state.key) + ':' + encode_state(m.state)
    if isinstance(m, Evict):
        return f"{EVICT} {oids.encode(m.table, m.key)}"
    if isinstance(m, Refusal):
        return f"{REFUSE} {oids.encode(m.table, m.key)} {_one_line(m.reason)}"
    if isinstance(m, BatchEnd):
        return ''
    if isinstance(m, Bye):
        if m.received == 0 and m.applied == 0:
            return BYE
        return BYE + ' {"received":%d,"applied":%d}' % (m.received, m.applied)
    if isinstance(m, Error):
        return f"{ERROR} {m.code} {_one_line(m.text)}"
    raise TypeError(f"not a protocol message: {m!r}")


def encode_line(m) -> bytes:
    return (format_message(m) + '\n').encode('utf-8', 'surrogatepass')
