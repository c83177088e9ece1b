"""A replica in a SQLite file (Python's sqlite3): the app's replicated tables and the metadata that replicates them.

Tables (docs/semantics.md "Storage" describes the C# layout; this one is simpler and private to Python replicas):

- each replicated table the app declares, as an ordinary table holding the rows that are alive (the app reads it with
  plain SQL or ``Replica.rows``);
- ``__liblim_rows``: one row per replicated row ever seen, alive or deleted, of every table, the app's or one only a
  peer's model has: its state (the wire JSON of section 5), its feed position ``seq`` (unique: a row appears in the
  feed once, at its latest position) and ``source``, the peer whose state it equals when a merge took that peer's state
  whole (the feed leaves it out for that peer);
- ``__liblim_state``: the node id, the head of the feed, the clock (ticks of the last timestamp issued or received);
- ``__liblim_peers``: per peer, the watermark (how far into its feed this replica has applied), the fence (how far
  into this replica's feed it may have handed the peer under its node id), the read head, and how the last session
  went.

Every write (a local one or a peer's batch) is one ``BEGIN IMMEDIATE`` transaction: SQLite's write lock orders them,
also across processes sharing the file, and positions are handed out in commit order.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field

from . import oid as oids
from .canonical import dump_json, parse_json
from .errors import Rejected, ValueRejected, WriteError
from .rowstate import RowState, decode_state, encode_state, merge
from .timestamps import Timestamp, next_ticks, receive_ticks, wall_ticks, pack
from .values import Column


@dataclass(frozen=True)
class Table:
    """A replicated table as the app declares it: its name (the wire name: ``schema.table`` with a schema), its key
    columns in key order, and its columns (key columns included)."""
    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    def __post_init__(self):
        object.__setattr__(self, 'key', tuple(self.key))
        object.__setattr__(self, 'columns', tuple(self.columns))
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"table {self.name} names a column twice")
        for k in self.key:
            if k not in names:
                raise ValueError(f"key column {k} of {self.name} is not among its columns")
            if self.column(k).nullable:
                raise ValueError(f"key column {k} of {self.name} cannot be nullable")
        if not self.key:
            raise ValueError(f"table {self.name} needs a key")
        for c in self.columns:
            c.kind  # an unknown type fails here, when the model is built

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def value_columns(self) -> list[Column]:
        return [c for c in self.columns if c.name not in self.key]

    def key_text(self, key) -> str:
        """The canonical key of an app's key: a value (one key column), a tuple/list in key order, or a dict."""
        if isinstance(key, dict):
            values = [key[k] for k in self.key]
        elif isinstance(key, (tuple, list)):
            values = list(key)
        else:
            values = [key]
        if len(values) != len(self.key):
            raise WriteError(f"{self.name} has {len(self.key)} key column(s)")
        try:
            return oids.key_text([self.column(k).encode(v) for k, v in zip(self.key, values)])
        except ValueRejected as e:
            raise WriteError(f"key of {self.name}: {e}") from None


@dataclass
class Positions:
    """What a session reads of its own database about a peer, as of one moment (section 4)."""
    node: uuid.UUID
    head: int
    watermark: int
    fence: int | None  # None: the peer was never recorded (section 4: checked against the head)
    read_head: int


@dataclass
class FeedPage:
    states: list[RowState]
    end: int
    head: int


@dataclass
class ApplyResult:
    received: int = 0
    applied: int = 0
    changed: list = field(default_factory=list)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Replica:
    """A replica: declare its tables, write rows locally, read them, and sync it (``liblim.sync``, ``liblim.Server``).

    ``node_id`` fixes the node id (else one is generated on first use and kept in the file); ``max_clock_drift`` is how
    far ahead of this machine's clock a peer's timestamp may be before its batch is refused (docs/semantics.md,
    "Clocks far in the future"). A Replica may be shared by threads (a server's sessions); writes are serialized.
    """

    def __init__(self, path: str, tables: list[Table], node_id: uuid.UUID | str | None = None,
                 max_clock_drift: float = 300.0):
        self.path = path
        self.tables = {t.name: t for t in tables}
        self.max_clock_drift = max_clock_drift
        self._lock = threading.RLock()
        self._moved = threading.Condition(threading.Lock())
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL" if path != ':memory:' else "PRAGMA journal_mode=MEMORY")
        self._setup(uuid.UUID(str(node_id)) if node_id is not None else None)

    # ---- schema ------------------------------------------------------------------------------------------------

    def _setup(self, configured: uuid.UUID | None):
        with self._transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS __liblim_state (id INTEGER PRIMARY KEY CHECK (id = 1), "
                       "node_id TEXT NOT NULL, seq INTEGER NOT NULL, clock INTEGER NOT NULL, retired_node_id TEXT)")
            db.execute("CREATE TABLE IF NOT EXISTS __liblim_rows (table_name TEXT NOT NULL, row_key TEXT NOT NULL, "
                       "seq INTEGER NOT NULL UNIQUE, state TEXT NOT NULL, source TEXT, "
                       "PRIMARY KEY (table_name, row_key))")
            db.execute("CREATE TABLE IF NOT EXISTS __liblim_peers (peer_id TEXT PRIMARY KEY, "
                       "received_seq INTEGER NOT NULL DEFAULT 0, sent_seq INTEGER NOT NULL DEFAULT 0, "
                       "read_head INTEGER NOT NULL DEFAULT 0, last_sync TEXT, address TEXT, last_error TEXT)")
            row = db.execute("SELECT node_id, retired_node_id FROM __liblim_state WHERE id = 1").fetchone()
            if row is None:
                db.execute("INSERT INTO __liblim_state (id, node_id, seq, clock) VALUES (1, ?, 0, 0)",
                           ((configured or uuid.uuid4()).hex,))
            elif configured is not None and row[0] != configured.hex and row[1] != configured.hex:
                db.execute("UPDATE __liblim_state SET node_id = ? WHERE id = 1", (configured.hex,))
            for t in self.tables.values():
                cols = ', '.join(f"{_q(c.name)} {c.kind.sqlite}" for c in t.columns)
                db.execute(f"CREATE TABLE IF NOT EXISTS {_q(t.name)} ({cols}, "
                           f"PRIMARY KEY ({', '.join(_q(k) for k in t.key)}))")
                have = {r[1] for r in db.execute(f"PRAGMA table_info({_q(t.name)})")}
                for c in t.columns:
                    if c.name not in have:  # a column the app added since: shown from the kept registers
                        db.execute(f"ALTER TABLE {_q(t.name)} ADD COLUMN {_q(c.name)} {c.kind.sqlite}")
                self._reproject_table(db, t)

    def _reproject_table(self, db, table: Table):
        """Shows the rows of the states kept for a table (one a newer model version brought, kept before the app
        declared it, or a column added since), in their own positions: no peer is sent them again."""
        for key, text in db.execute("SELECT row_key, state FROM __liblim_rows WHERE table_name = ?", (table.name,)):
            self._project(db, decode_state(table.name, key, text))

    class _Tx:
        def __init__(self, replica):
            self.r = replica

        def __enter__(self):
            self.r._lock.acquire()
            try:
                self.r._db.execute("BEGIN IMMEDIATE")
            except BaseException:
                self.r._lock.release()
                raise
            return self.r._db

        def __exit__(self, exc_type, exc, tb):
            try:
                self.r._db.execute("COMMIT" if exc_type is None else "ROLLBACK")
            finally:
                self.r._lock.release()
            return False

    def _transaction(self):
        return Replica._Tx(self)

    def close(self):
        with self._lock:
            self._db.close()

    # ---- identity and clock -------------------------------------------------------------------------------------

    @property
    def node_id(self) -> uuid.UUID:
        with self._lock:
            return uuid.UUID(self._db.execute("SELECT node_id FROM __liblim_state WHERE id = 1").fetchone()[0])

    @property
    def head(self) -> int:
        with self._lock:
            return self._db.execute("SELECT seq FROM __liblim_state WHERE id = 1").fetchone()[0]

    def _stamp(self, db) -> tuple[Timestamp, int]:
        node, seq, clock = db.execute("SELECT node_id, seq, clock FROM __liblim_state WHERE id = 1").fetchone()
        ticks = next_ticks(clock)
        db.execute("UPDATE __liblim_state SET clock = ? WHERE id = 1", (ticks,))
        return Timestamp(ticks, int(node, 16)), seq

    def _next_seq(self, db) -> int:
        db.execute("UPDATE __liblim_state SET seq = seq + 1 WHERE id = 1")
        return db.execute("SELECT seq FROM __liblim_state WHERE id = 1").fetchone()[0]

    # ---- rows -----------------------------------------------------------------------------------------------------

    def _load(self, db, table: str, key: str) -> RowState | None:
        row = db.execute("SELECT state FROM __liblim_rows WHERE table_name = ? AND row_key = ?", (table, key)).fetchone()
        return decode_state(table, key, row[0]) if row else None

    def _store(self, db, state: RowState, source: str | None):
        seq = self._next_seq(db)
        db.execute("INSERT INTO __liblim_rows (table_name, row_key, seq, state, source) VALUES (?, ?, ?, ?, ?) "
                   "ON CONFLICT (table_name, row_key) DO UPDATE SET seq = excluded.seq, state = excluded.state, "
                   "source = excluded.source", (state.table, state.key, seq, encode_state(state), source))
        self._project(db, state)

    def _project(self, db, state: RowState):
        """Brings the app's table in line with a state: the row when it is alive, no row when it is not."""
        table = self.tables.get(state.table)
        if table is None:
            return
        key_values = oids.key_values(state.key, len(table.key))
        key_sql = [table.column(k).to_sqlite(dump_json(v)) for k, v in zip(table.key, key_values)]
        where = ' AND '.join(f"{_q(k)} = ?" for k in table.key)
        if not state.alive:
            db.execute(f"DELETE FROM {_q(table.name)} WHERE {where}", key_sql)
            return
        names, values = list(table.key), list(key_sql)
        for c in table.value_columns:
            reg = state.columns.get(c.name)
            names.append(c.name)
            values.append(c.to_sqlite(reg.json if reg is not None else c.default()))
        db.execute(f"INSERT OR REPLACE INTO {_q(table.name)} ({', '.join(map(_q, names))}) "
                   f"VALUES ({', '.join('?' * len(names))})", values)

    def _notify(self):
        with self._moved:
            self._moved.notify_all()

    def wait_for_change(self, timeout: float):
        """Waits until a write of this process moves the feed, or the timeout (other processes are found by polling)."""
        with self._moved:
            self._moved.wait(timeout)

    # ---- local writes ------------------------------------------------------------------------------------------

    def _table(self, name: str) -> Table:
        try:
            return self.tables[name]
        except KeyError:
            raise WriteError(f"{name} is not a replicated table of this replica") from None

    def _values(self, table: Table, values: dict) -> dict[str, str]:
        out = {}
        for name, value in values.items():
            if name in table.key:
                continue
            try:
                out[name] = table.column(name).encode(value)
            except KeyError:
                raise WriteError(f"{table.name} has no column {name}") from None
            except ValueRejected as e:
                raise WriteError(f"{table.name}.{name}: {e}") from None
        return out

    def insert(self, table: str, values: dict) -> str:
        """Inserts a row (values by column name, key columns included); returns its canonical key. A new add tag and
        every column are stamped with one new timestamp. Raises WriteError if a live row has the key."""
        t = self._table(table)
        key = t.key_text(values)
        texts = {c.name: c.default() if c.nullable else None for c in t.value_columns}
        texts.update(self._values(t, values))
        missing = [n for n, v in texts.items() if v is None]
        if missing:
            raise WriteError(f"{table} needs a value for {', '.join(missing)}")
        with self._transaction() as db:
            current = self._load(db, table, key) or RowState(table, key)
            if current.alive:
                raise WriteError(f"{table} already has a row with key {key}")
            at, _ = self._stamp(db)
            self._store(db, current.insert(texts, at), None)
        self._notify()
        return key

    def update(self, table: str, key, values: dict) -> bool:
        """Writes columns of a live row; only columns whose value really changes are stamped. Returns whether
        anything changed. Raises WriteError when there is no live row with that key."""
        t = self._table(table)
        k = t.key_text(key)
        texts = self._values(t, values)
        with self._transaction() as db:
            current = self._load(db, table, k)
            if current is None or not current.alive:
                raise WriteError(f"{table} has no row with key {k}")
            changed = {n: v for n, v in texts.items() if n not in current.columns or current.columns[n].json != v}
            if not changed:
                return False
            at, _ = self._stamp(db)
            self._store(db, current.write(changed, at), None)
        self._notify()
        return True

    def delete(self, table: str, key) -> bool:
        """Deletes a live row: tombstones the add tags seen; its values stay in its state. False if it was not there."""
        t = self._table(table)
        k = t.key_text(key)
        with self._transaction() as db:
            current = self._load(db, table, k)
            if current is None or not current.alive:
                return False
            self._stamp(db)  # a delete is a write: the clock moves on, as for any SaveChanges
            self._store(db, current.delete(), None)
        self._notify()
        return True

    def get(self, table: str, key) -> dict | None:
        """A live row as a dict of Python values, or None."""
        t = self._table(table)
        k = t.key_text(key)
        with self._lock:
            state = self._load(self._db, table, k)
        return self._row_dict(t, state) if state is not None and state.alive else None

    def rows(self, table: str) -> list[dict]:
        """Every live row of a table, as dicts of Python values, in key order."""
        t = self._table(table)
        with self._lock:
            found = self._db.execute("SELECT row_key, state FROM __liblim_rows WHERE table_name = ? ORDER BY row_key",
                                     (table,)).fetchall()
        states = [decode_state(table, k, s) for k, s in found]
        return [self._row_dict(t, s) for s in states if s.alive]

    def _row_dict(self, t: Table, state: RowState) -> dict:
        row = {k: t.column(k).decode(dump_json(v)) for k, v in zip(t.key, oids.key_values(state.key, len(t.key)))}
        for c in t.value_columns:
            reg = state.columns.get(c.name)
            row[c.name] = c.decode(reg.json if reg is not None else c.default())
        return row

    def state(self, table: str, key_text: str) -> RowState | None:
        """The replicated state of a row by its canonical key text (for tests and tools)."""
        with self._lock:
            return self._load(self._db, table, key_text)

    def all_states(self) -> dict[tuple[str, str], RowState]:
        with self._lock:
            found = self._db.execute("SELECT table_name, row_key, state FROM __liblim_rows").fetchall()
        return {(t, k): decode_state(t, k, s) for t, k, s in found}

    # ---- sync: positions, fences, feed --------------------------------------------------------------------------

    def positions(self, peer: uuid.UUID) -> Positions:
        with self._lock:
            node, head = self._db.execute("SELECT node_id, seq FROM __liblim_state WHERE id = 1").fetchone()
            row = self._db.execute("SELECT received_seq, sent_seq, read_head FROM __liblim_peers WHERE peer_id = ?",
                                   (peer.hex,)).fetchone() or (0, None, 0)
        return Positions(uuid.UUID(node), head, row[0], row[1], row[2])

    def accept_fence(self, peer: uuid.UUID, position: int):
        """Records a peer's claim on this feed that the check of section 4 accepted (never beyond the head): the peer
        holds the feed up to there, so the fence may cover it. Fences only move forward."""
        with self._transaction() as db:
            self._peer_row(db, peer)
            head = db.execute("SELECT seq FROM __liblim_state WHERE id = 1").fetchone()[0]
            db.execute("UPDATE __liblim_peers SET sent_seq = max(sent_seq, ?) WHERE peer_id = ?",
                       (min(position, head), peer.hex))

    def _peer_row(self, db, peer: uuid.UUID):
        db.execute("INSERT OR IGNORE INTO __liblim_peers (peer_id) VALUES (?)", (peer.hex,))

    def raise_fence(self, peer: uuid.UUID) -> int:
        """Records, durably, that this replica may hand the peer its feed up to its head; returns the head. Called
        before a batch beyond the fence is sent. Fences only move forward."""
        with self._transaction() as db:
            self._peer_row(db, peer)
            head = db.execute("SELECT seq FROM __liblim_state WHERE id = 1").fetchone()[0]
            db.execute("UPDATE __liblim_peers SET sent_seq = max(sent_seq, ?), read_head = max(read_head, ?) "
                       "WHERE peer_id = ?", (head, head, peer.hex))
            return db.execute("SELECT sent_seq FROM __liblim_peers WHERE peer_id = ?", (peer.hex,)).fetchone()[0]

    def rotate(self, retiring: uuid.UUID) -> uuid.UUID:
        """Takes a new node id (this database was restored from an older copy, or is a copy): fences of every peer
        go to 0, watermarks stay (section 4)."""
        with self._transaction() as db:
            current = uuid.UUID(db.execute("SELECT node_id FROM __liblim_state WHERE id = 1").fetchone()[0])
            if current != retiring:
                return current
            new = uuid.uuid4()
            db.execute("UPDATE __liblim_state SET node_id = ?, retired_node_id = ? WHERE id = 1", (new.hex, retiring.hex))
            db.execute("UPDATE __liblim_peers SET sent_seq = 0, read_head = 0")
            return new

    def read_feed(self, since: int, through: int | None, limit: int, peer: uuid.UUID,
                  whole_through: int = 0) -> FeedPage:
        """Rows changed after ``since`` (up to ``through``), at most ``limit`` positions, in feed order; the page ends
        at the last position read. Rows whose state was taken whole from ``peer`` are left out (it has them), but their
        positions count; up to ``whole_through`` (the peer asked with ``"whole":true``) nothing is left out."""
        with self._lock:
            head = self._db.execute("SELECT seq FROM __liblim_state WHERE id = 1").fetchone()[0]
            top = head if through is None else min(through, head)
            found = self._db.execute("SELECT table_name, row_key, seq, state, source FROM __liblim_rows "
                                     "WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?", (since, top, limit)).fetchall()
        if not found:
            return FeedPage([], since, head)
        states = [decode_state(t, k, s) for t, k, seq, s, src in found if src != peer.hex or seq <= whole_through]
        return FeedPage(states, found[-1][2], head)

    # ---- sync: applying a peer's batch -----------------------------------------------------------------------------

    def _checked(self, incoming: RowState) -> RowState:
        """The state with its key and values in canonical form for this replica's model; Rejected for what this
        database cannot take (a key that is not a JSON array of the key's values, a value of the wrong type, a
        timestamp too far in the future). A table or column the model lacks is kept as it came."""
        where = f"{incoming.table} {incoming.key[:80]}"
        newest = incoming.max_clock()
        if newest is not None and newest.ticks > pack(int((time.time() + self.max_clock_drift) * 1000)):
            ahead = (newest.milliseconds - time.time() * 1000) / 1000
            raise Rejected(f"Row {where} carries a timestamp of node {newest.node_id} {ahead:.0f} s ahead of this "
                           f"replica's clock, more than its limit of {self.max_clock_drift:g} s. Nothing from this "
                           f"batch was applied.")
        table = self.tables.get(incoming.table)
        if table is None:
            return incoming
        try:
            key_values = oids.key_values(incoming.key, len(table.key))
        except ValueError as e:
            raise Rejected(f"Row {where}: {e}. Nothing from this batch was applied.") from None
        try:
            key = oids.key_text([table.column(k).canonical(v) for k, v in zip(table.key, key_values)])
        except ValueRejected as e:
            raise Rejected(f"Row {where} has a key that does not fit {table.name}'s key: {e}. "
                           f"Nothing from this batch was applied.") from None
        columns = {}
        for name, reg in incoming.columns.items():
            if name in table.key:
                raise Rejected(f"Row {where} gives a value for its key column {name}. Nothing from this batch was applied.")
            try:
                column = table.column(name)
            except KeyError:
                columns[name] = reg  # a column of another model version: kept as received
                continue
            try:
                text = column.canonical(parse_json(reg.json))
            except ValueRejected as e:
                raise Rejected(f"A value for '{table.name}.{name}' (row {key}) does not fit its type: {e}. "
                               f"Nothing from this batch was applied.") from None
            columns[name] = type(reg)(text, reg.clock, reg.prior)
        return RowState(incoming.table, key, columns, incoming.add_tags, incoming.tombstones)

    def _check_required(self, state: RowState):
        table = self.tables.get(state.table)
        if table is None or not state.alive:
            return
        for c in table.value_columns:
            if c.name not in state.columns and not c.nullable and c.type in ('text', 'string', 'bytes'):
                raise Rejected(f"Row {state.table} {state.key} would appear here without a value for the required "
                               f"column '{table.name}.{c.name}', which has no default. Nothing from this batch was applied.")

    def apply_batch(self, peer: uuid.UUID, states: list[RowState], position: int | None,
                    evictions: list[tuple[str, str]] = ()) -> ApplyResult:
        """Merges a peer's batch atomically, with the peer's new watermark (never lowered). A state that changes a
        row gives it a new feed position; one the merge takes whole is marked as the peer's (not sent back to it).
        Evicted rows are forgotten: no tombstone, no position. Raises Rejected, having stored nothing."""
        result = ApplyResult()
        checked = [self._checked(s) for s in states]
        with self._transaction() as db:
            self._peer_row(db, peer)
            newest = 0
            for incoming in checked:
                result.received += 1
                current = self._load(db, incoming.table, incoming.key)
                merged = incoming if current is None else merge(current, incoming)
                self._check_required(merged)
                clock = incoming.max_clock()
                newest = max(newest, clock.ticks if clock else 0)
                if current is not None and merged.same_as(current):
                    continue
                result.applied += 1
                result.changed.append((incoming.table, incoming.key))
                self._store(db, merged, peer.hex if merged.same_as(incoming) else None)
            for table, key in evictions:
                current = self._load(db, table, key)
                if current is None:
                    continue
                db.execute("DELETE FROM __liblim_rows WHERE table_name = ? AND row_key = ?", (table, key))
                self._project(db, RowState(table, key, {}, set(), set(current.add_tags)))
                result.changed.append((table, key))
            if newest:
                db.execute("UPDATE __liblim_state SET clock = max(clock, ?) WHERE id = 1", (newest,))
            if position is not None:
                db.execute("UPDATE __liblim_peers SET received_seq = max(received_seq, ?) WHERE peer_id = ?",
                           (position, peer.hex))
        if result.applied:
            self._notify()
        return result

    def record_session(self, peer: uuid.UUID, address: str, error: str | None, create: bool = True):
        """How the last session with the peer ended (status). With ``create`` False a peer not yet recorded stays
        unrecorded (its first IHAZ was not checked: section 4 checks a peer never recorded against the head)."""
        now = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())
        with self._transaction() as db:
            if create:
                self._peer_row(db, peer)
            if error is None:
                db.execute("UPDATE __liblim_peers SET last_sync = ?, address = ?, last_error = NULL WHERE peer_id = ?",
                           (now, address, peer.hex))
            else:
                db.execute("UPDATE __liblim_peers SET address = ?, last_error = ? WHERE peer_id = ?",
                           (address, error, peer.hex))

    def status(self) -> dict:
        with self._lock:
            peers = self._db.execute("SELECT peer_id, received_seq, sent_seq, read_head, last_sync, address, "
                                     "last_error FROM __liblim_peers").fetchall()
        return {'node_id': str(self.node_id), 'head': self.head,
                'peers': [dict(zip(('peer', 'watermark', 'fence', 'read_head', 'last_sync', 'address', 'last_error'),
                                   (str(uuid.UUID(p[0])),) + tuple(p[1:]))) for p in peers]}
