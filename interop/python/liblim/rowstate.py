"""Row states: what a replica holds of one row, how it travels, and how two states merge (docs/protocol.md section 5).

A state is a last-writer-wins register per column (canonical JSON text and the timestamp of its write) and the row's
existence as an observed-remove set: add tags (one per insert) and tombstones (the add tags a delete observed). The
row is alive while an add tag is not tombstoned. Merge is a join (idempotent, commutative, associative), so states may
arrive in any order, any number of times, through any path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .canonical import JsonNumber, JsonObject, dump_json, has_lone_surrogate, ordinal_compare, parse_json, quote, utf16_key
from .timestamps import Timestamp


@dataclass(frozen=True)
class Register:
    """A column's value (canonical JSON text), the timestamp of the write that set it, and the clock of the register
    that write replaced where it was made (None: it replaced none, an insert). The prior travels with the register,
    unchanged; it tells a concurrent write from a later one (docs/semantics.md, "Conflicts")."""
    json: str
    clock: Timestamp
    prior: Timestamp | None = None

    def wins_over(self, other: "Register") -> bool:
        """Whether this register is the merge of the two: the later write; at equal timestamps, the ordinal-greater
        value text (UTF-16 code units, as .NET's ``string.CompareOrdinal``), then the later prior (none first), so
        every replica picks the same."""
        if self.clock != other.clock:
            return self.clock > other.clock
        by_text = ordinal_compare(self.json, other.json)
        if by_text != 0:
            return by_text > 0
        if self.prior is None or other.prior is None:
            return other.prior is None
        return self.prior >= other.prior


def merge_register(a: Register, b: Register) -> Register:
    return a if a.wins_over(b) else b


@dataclass
class RowState:
    """The replicated state of one row. ``add_tags`` never holds a tombstoned tag (the constructor removes them)."""
    table: str
    key: str
    columns: dict[str, Register] = field(default_factory=dict)
    add_tags: set[Timestamp] = field(default_factory=set)
    tombstones: set[Timestamp] = field(default_factory=set)

    def __post_init__(self):
        self.add_tags = set(self.add_tags) - set(self.tombstones)
        self.tombstones = set(self.tombstones)

    @property
    def alive(self) -> bool:
        return bool(self.add_tags)

    @property
    def empty(self) -> bool:
        return not self.columns and not self.add_tags and not self.tombstones

    def max_clock(self) -> Timestamp | None:
        clocks = [r.clock for r in self.columns.values()] + list(self.add_tags) + list(self.tombstones)
        return max(clocks) if clocks else None

    def copy(self) -> "RowState":
        return RowState(self.table, self.key, dict(self.columns), set(self.add_tags), set(self.tombstones))

    def without_priors(self) -> "RowState":
        """This state with no register's prior, for a peer that speaks protocol version 1."""
        return RowState(self.table, self.key, {n: Register(r.json, r.clock) for n, r in self.columns.items()},
                        set(self.add_tags), set(self.tombstones))

    def same_as(self, other: "RowState") -> bool:
        return (self.table, self.key, self.columns, self.add_tags, self.tombstones) == \
               (other.table, other.key, other.columns, other.add_tags, other.tombstones)

    # ---- local writes ---------------------------------------------------------------------------------------------

    def write(self, values: dict[str, str], at: Timestamp) -> "RowState":
        """A local update: each given column written at the timestamp, over the register it had (its prior)."""
        s = self.copy()
        for name, text in values.items():
            before = s.columns.get(name)
            s.columns[name] = Register(text, at, before.clock if before is not None else None)
        return s

    def insert(self, values: dict[str, str], at: Timestamp) -> "RowState":
        """A local insert: the values written at the timestamp, and the timestamp as a new add tag."""
        s = self.write(values, at)
        s.add_tags.add(at)
        return s

    def delete(self) -> "RowState":
        """A local delete: every add tag seen so far is tombstoned; the registers are kept (a concurrent insert that
        revives the row merges with them)."""
        return RowState(self.table, self.key, dict(self.columns), set(), self.tombstones | self.add_tags)


# ---- merge ----------------------------------------------------------------------------------------------------------

def merge(a: RowState, b: RowState) -> RowState:
    """The join of two states of one row: per column the winning register, unions of add tags and of tombstones, and
    a tag in the tombstones is dead."""
    if (a.table, a.key) != (b.table, b.key):
        raise ValueError("cannot merge states of different rows")
    columns = dict(a.columns)
    for name, theirs in b.columns.items():
        ours = columns.get(name)
        columns[name] = theirs if ours is None else merge_register(ours, theirs)
    return RowState(a.table, a.key, columns, a.add_tags | b.add_tags, a.tombstones | b.tombstones)


def delta_since(sent: RowState, current: RowState) -> RowState | None:
    """What ``current`` adds to ``sent`` (a state the receiver is known to hold): the registers that win over the sent
    ones or that it lacks, and the new tombstones; the whole state when it has an add tag ``sent`` never saw (an insert,
    or a revive); None when it adds nothing."""
    if any(t not in sent.add_tags and t not in sent.tombstones for t in current.add_tags):
        return current
    columns = {n: r for n, r in current.columns.items()
               if n not in sent.columns or merge_register(sent.columns[n], r) != sent.columns[n]}
    tombstones = current.tombstones - sent.tombstones
    if not columns and not tombstones:
        return None
    return RowState(current.table, current.key, columns, set(), tombstones)


# ---- the wire form ------------------------------------------------------------------------------------------------

def base_clock(state: RowState) -> Timestamp | None:
    """The clock most columns share (the first, in column name order, among the most common): written once as "t",
    with only the other columns' clocks listed in "c". Without columns, no "t" is written."""
    if not state.columns:
        return None
    counts: dict[Timestamp, int] = {}
    order: list[Timestamp] = []
    for name in sorted(state.columns, key=utf16_key):
        clock = state.columns[name].clock
        if clock not in counts:
            order.append(clock)
            counts[clock] = 0
        counts[clock] += 1
    best = order[0]
    for clock in order:
        if counts[clock] > counts[best]:
            best = clock
    return best


def quote_name(name: str) -> str:
    """A column name as every writer spells it: the same JSON string as a string value (docs/protocol.md section 5)."""
    return quote(name)


def encode_state(state: RowState) -> str:
    """The state's JSON as every writer spells it: members t, v, c, p, a, d in that order, empty ones left out; columns
    in ordinal name order; tags in timestamp order; timestamps of the base clock's node short."""
    parts = []
    base = base_clock(state)
    if base is not None:
        names = sorted(state.columns, key=utf16_key)
        parts.append('"t":"' + base.text() + '"')
        parts.append('"v":{' + ','.join(quote_name(n) + ':' + state.columns[n].json for n in names) + '}')
        own = [n for n in names if state.columns[n].clock != base]
        if own:
            parts.append('"c":{' + ','.join(quote_name(n) + ':"' + state.columns[n].clock.in_state(base) + '"'
                                            for n in own) + '}')
        over = [n for n in names if state.columns[n].prior is not None]
        if over:
            parts.append('"p":{' + ','.join(quote_name(n) + ':"' + state.columns[n].prior.in_state(base) + '"'
                                            for n in over) + '}')
    for member, tags in (('a', state.add_tags), ('d', state.tombstones)):
        if tags:
            parts.append(f'"{member}":[' + ','.join('"' + t.in_state(base) + '"' for t in sorted(tags)) + ']')
    return '{' + ','.join(parts) + '}'


class MalformedState(ValueError):
    """A row state's JSON is not a row state (the receiver answers bad-row)."""


def _members(obj: JsonObject, what: str) -> list[tuple[str, object]]:
    seen = set()
    for name, _ in obj:
        if has_lone_surrogate(name):
            raise MalformedState(f"a member name of {what} is not Unicode text (an escaped lone UTF-16 surrogate)")
        if name in seen:
            raise MalformedState(f"{what} has member '{name}' twice")
        seen.add(name)
    return list(obj)


def decode_state(table: str, key: str, text: str) -> RowState:
    """Reads a row state's JSON (members t, v, c, p, a, d in any order, each optional, no others; short timestamps only
    with "t").
    Raises MalformedState for anything that is not a row state."""
    try:
        root = parse_json(text, max_depth=8)
    except ValueError as e:
        raise MalformedState(f"the row state is not valid JSON ({e})") from None
    if not isinstance(root, JsonObject):
        raise MalformedState("a row state is a JSON object")
    members = dict(_members(root, "a row state"))
    unknown = [m for m in members if m not in ('t', 'v', 'c', 'p', 'a', 'd')]
    if unknown:
        raise MalformedState(f"a row state has no member '{unknown[0]}' (expected t, v, c, p, a, d)")
    base = None
    if 't' in members:
        try:
            base = Timestamp.parse(members['t'])
        except (ValueError, TypeError):
            raise MalformedState("'t' must be a timestamp string (16 hex digits, '.', 32 hex digits)") from None
    for name in ('v', 'c', 'p'):
        if name in members and not isinstance(members[name], JsonObject):
            raise MalformedState(f"'{name}' must be a JSON object")
    for name in ('a', 'd'):
        if name in members and (type(members[name]) is not list):
            raise MalformedState(f"'{name}' must be an array of timestamps")

    def stamp(value, where):
        try:
            return Timestamp.parse_in_state(value, base)
        except (ValueError, TypeError) as e:
            raise MalformedState(f"'{where}' must be a timestamp (16 hex digits, then optionally '.' and 32 hex "
                                 f"digits): {e}") from None

    clocks = dict(_members(members['c'], "'c'")) if 'c' in members else {}
    priors = dict(_members(members['p'], "'p'")) if 'p' in members else {}
    columns: dict[str, Register] = {}
    if 'v' in members:
        if base is None:
            raise MalformedState("a row state with values needs its base clock 't'")
        for name, value in _members(members['v'], "'v'"):
            clock = stamp(clocks[name], 'c.' + name) if name in clocks else base
            prior = stamp(priors[name], 'p.' + name) if name in priors else None
            if prior is not None and not prior < clock:
                raise MalformedState(f"'p' gives column '{name}' a prior clock that is not earlier than its own clock")
            columns[name] = Register(dump_json(value), clock, prior)
    for member, listed in (('c', clocks), ('p', priors)):
        for name in listed:
            if name not in columns:
                raise MalformedState(f"'{member}' gives a clock for column '{name}' twice or without a value in 'v'")
    add_tags = {stamp(t, 'a') for t in members.get('a', [])}
    tombstones = {stamp(t, 'd') for t in members.get('d', [])}
    if not columns and not add_tags and not tombstones:
        raise MalformedState("a row state holds no values and no tags")
    return RowState(table, key, columns, add_tags, tombstones)
