"""Sync sessions over an open connection, for either role, one-shot or live (docs/protocol.md sections 2-8).

The greeting authenticates both sides before the database is touched. Then each side says how far it has applied
the other's feed (IHAZ), checks that the peer has not applied more of its own feed than it ever handed out (a
restored or copied database: section 4), and sends what the other lacks in UCANHAZ batches, each applied atomically
with its position. A one-shot session is half duplex; a live one reads in one thread and sends in another until
either side says KTHXBAI.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable

from . import greeting
from .errors import (AuthFailed, BadLine, BatchTooLarge, ConnectionClosed, Internal, OutOfOrder, ProtocolError,
                     Rejected, Restarted, Timeout, UnsupportedVersion)
from .framing import Connection
from .messages import (OLDEST_VERSION, VERSION, BatchEnd, BatchStart, Bye, Error, Evict, Have, Hello, Proof, Refusal, Row)
from .replica import Replica

log = logging.getLogger('liblim')


@dataclass
class SyncResult:
    """What one session did."""
    peer: uuid.UUID | None = None
    rows_sent: int = 0
    rows_received: int = 0
    rows_applied: int = 0
    rows_applied_by_peer: int = 0
    changed: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # (table, key, reason) of NOPE lines a server sent
    restarts: int = 0


_DESCRIBE = {Hello: "ØHAI", Proof: "ØHAI with a proof", Have: "IHAZ", BatchStart: "UCANHAZ", Row: "a row line",
             BatchEnd: "an empty line", Bye: "KTHXBAI", Evict: "NOMOAR", Refusal: "NOPE"}


def _out_of_order(got, expected: str) -> OutOfOrder:
    return OutOfOrder(f"Expected {expected}, got {_DESCRIBE.get(type(got), type(got).__name__)}.")


class Session:
    """One session. Use ``run_client`` or ``run_server``; both return a SyncResult or raise a ProtocolError (after
    sending the peer an OHNOES line for an error this side detected)."""

    def __init__(self, connection: Connection, replica: Replica, *, poll_interval: float = 0.25, version: int = VERSION):
        """``version``: the newest protocol version this side speaks in the session (a client offers it)."""
        self.conn = connection
        self.offered = version
        self.version = version  # settled by the greeting
        self.replica = replica
        self.limits = connection.limits
        self.poll_interval = poll_interval
        self.result = SyncResult()
        self.local: uuid.UUID | None = None
        self.peer: uuid.UUID | None = None
        self.serving = False
        self.live = False
        self._fence = 0
        self._received_through = -1
        self._whole_through = 0  # the peer's IHAZ asked for everything up to this position (section 4, "whole")
        self._continues = False  # the peer's IHAZ passed the check of section 4: the peer may be recorded
        self._told_peer = threading.Lock()
        self._stopping = threading.Event()
        self._authenticated = False

    # ---- entry points ------------------------------------------------------------------------------------------

    def run_client(self, secret: str | None, live: bool = False) -> SyncResult:
        return self._run(lambda: self._client(secret, live))

    def run_server(self, secret_for: Callable[[uuid.UUID], str | None]) -> SyncResult:
        self.serving = True
        return self._run(lambda: self._server(secret_for))

    def stop(self):
        """Ends a live session from this side: KTHXBAI, then close (the reader thread closes when the peer has)."""
        self._stopping.set()

    def _run(self, body) -> SyncResult:
        try:
            body()
            self._record(None)
            return self.result
        except ProtocolError as e:
            self._tell_peer(e)
            if not isinstance(e, Restarted):
                self._record(str(e))
            raise
        except Exception as e:
            log.exception("sync session failed")
            self._tell_peer(e)
            self._record(str(e))
            raise
        finally:
            self.conn.close()

    def _tell_peer(self, e: BaseException):
        if isinstance(e, ProtocolError):
            if e.from_peer or isinstance(e, ConnectionClosed):
                return
            line = Error(e.code, e.peer_text)
        else:
            line = Error('internal', 'The peer failed; its log says why.')
        if self._told_peer.acquire(blocking=False):
            self.conn.try_send_last(line)

    def _record(self, error: str | None):
        # A server records nothing for a peer that has not authenticated (section 3).
        if self.peer is None or (self.serving and not self._authenticated):
            return
        try:
            self.replica.record_session(self.peer, self.conn.remote, error, create=self._continues)
        except Exception:
            log.debug("could not record the session", exc_info=True)

    # ---- greeting -----------------------------------------------------------------------------------------------

    def _read(self, timeout: float, *types, expected: str):
        message = self.conn.read(timeout)
        if not isinstance(message, types):
            raise _out_of_order(message, expected)
        return message

    def _handshake_left(self, started: float) -> float:
        left = self.limits.handshake_timeout - (time.monotonic() - started)
        if left <= 0:
            raise Timeout(f"The greeting took longer than {self.limits.handshake_timeout:g} s.")
        return left

    def _check_hello(self, hello: Hello):
        """Settles the session's version: a server speaks the client's when it speaks it; a client, the server's
        answer, at most what it offered (section 3)."""
        if not OLDEST_VERSION <= hello.version <= self.offered:
            raise UnsupportedVersion(f"The peer speaks liblim protocol version {hello.version}; this side speaks "
                                     f"versions {OLDEST_VERSION} to {self.offered}.")
        self.version = hello.version
        if hello.node == self.local:
            raise Rejected(f"The peer has this database's own node id {self.local}: a replica cannot sync with itself "
                           f"(or two databases were given the same node id).")
        self.peer = hello.node
        self.result.peer = hello.node

    def _greet_server(self, secret: str | None, live: bool):
        started = time.monotonic()
        nonce = greeting.new_nonce()
        self.conn.send(Hello(self.offered, self.local, nonce, live))
        hello = self._read_greeting(started, "the server's ØHAI")
        self._check_hello(hello)
        if hello.live:
            raise BadLine("The flag 'live' belongs to a client's greeting.")
        if hello.authenticated:
            raise AuthFailed(f"Server {self.peer} did not prove it knows the shared secret: it says the connection "
                             f"authenticated this side, which presented no credentials.",
                             to_peer="This client presented no credentials to the connection, so it does not take the "
                                     "greeting's word that the connection authenticated it; prove the shared secret instead.")
        if not secret:
            raise AuthFailed(f"Server {self.peer} asks for the shared secret, and this side has none.",
                             to_peer="This client has no shared secret to prove.")
        self.conn.send(Proof(greeting.proof(secret, greeting.CLIENT, self.local, nonce, self.peer, hello.nonce)))
        answer = self._read_greeting(started, "the server's proof", Proof)
        expected = greeting.proof(secret, greeting.SERVER, self.local, nonce, self.peer, hello.nonce)
        if not greeting.verify(expected, answer.proof):
            raise AuthFailed(f"Server {self.peer} could not prove it knows the shared secret.",
                             to_peer="This client could not verify the server's proof: the two sides are not "
                                     "configured with the same shared secret.")
        self._authenticated = True

    def _read_greeting(self, started: float, expected: str, kind=Hello):
        try:
            return self._read(self._handshake_left(started), kind, expected=expected)
        except Timeout:
            raise Timeout(f"The greeting took longer than {self.limits.handshake_timeout:g} s.") from None

    def _greet_client(self, secret_for) -> bool:
        started = time.monotonic()
        hello = self._read_greeting(started, "the client's ØHAI")
        self._check_hello(hello)
        if hello.authenticated:
            raise BadLine("The flag 'authenticated' belongs to a server's greeting.")
        secret = secret_for(self.peer)
        if not secret:
            raise AuthFailed(f"Peer {self.peer} is not allowed to sync with this server.",
                             to_peer=f"This server does not accept node {self.peer}.")
        nonce = greeting.new_nonce()
        self.conn.send(Hello(self.version, self.local, nonce))
        answer = self._read_greeting(started, "the client's proof", Proof)
        expected = greeting.proof(secret, greeting.CLIENT, self.peer, hello.nonce, self.local, nonce)
        if not greeting.verify(expected, answer.proof):
            raise AuthFailed(f"Peer {self.peer} could not prove it knows the shared secret.",
                             to_peer="This server could not verify the client's proof: the two sides are not "
                                     "configured with the same shared secret.")
        self.conn.send(Proof(greeting.proof(secret, greeting.SERVER, self.peer, hello.nonce, self.local, nonce)))
        self._authenticated = True
        return hello.live

    # ---- IHAZ and restored databases ---------------------------------------------------------------------------

    def _exchange_have(self, client_first: bool) -> tuple[int, int]:
        theirs = None
        if not client_first:
            theirs = self._read(self.limits.idle_timeout, Have, expected="IHAZ")
        positions = self.replica.positions(self.peer)
        if positions.node != self.local:
            raise Restarted(f"Node {self.local} has taken the new node id {positions.node} since this session began; "
                            f"connect again.")
        if theirs is not None:
            self._check_continues(theirs)
        self._received_through = positions.watermark
        self.conn.send(Have({self.peer: positions.watermark}))
        if theirs is None:
            theirs = self._read(self.limits.idle_timeout, Have, expected="IHAZ")
            self._check_continues(theirs)
        positions = self.replica.positions(self.peer)
        self._fence = positions.fence or 0
        # Asked for the whole feed: rows taken whole from the peer go too, up to the head as it stood then.
        self._whole_through = positions.head if theirs.whole else 0
        return theirs.positions.get(self.local, 0), positions.head

    def _check_continues(self, theirs: Have):
        """A peer that has applied more of this feed than the fence allows knows a history this database does not
        continue (a restore, or a copy): take a new node id and end the session with ``restarted``."""
        claimed = theirs.positions.get(self.local, 0)
        positions = self.replica.positions(self.peer)  # read after the peer's IHAZ arrived
        # A peer never recorded (fence None) is checked against the head: a peer that took a new node id names how
        # far it had applied this feed under its old id. Once accepted, that position is recorded as its fence, so
        # that the next session does not take the same claim for a restore.
        limit = positions.head if positions.fence is None else positions.fence
        if positions.node == self.local and claimed <= limit:
            if positions.fence is None:
                self.replica.accept_fence(self.peer, claimed)
            self._continues = True
            return
        rotated = self.replica.rotate(self.local)
        raise Restarted(f"Node {self.local} was restored from an older copy, or is a copy of a database that went on "
                        f"writing elsewhere: node {self.peer} has applied its changes up to position {claimed}, but it "
                        f"handed out only up to {limit}. It now uses the new node id {rotated}, and syncs "
                        f"again to send its changes and get back what it lost.")

    # ---- one-shot -------------------------------------------------------------------------------------------------

    def _client(self, secret, live):
        self.local = self.replica.node_id
        self.live = live
        self._greet_server(secret, live)
        start, head = self._exchange_have(client_first=True)
        if live:
            self._run_live(start)
            return
        self._send_feed(start, head)
        self.conn.send(Bye())
        bye = self._receive_until_bye()
        self.result.rows_applied_by_peer = bye.applied

    def _server(self, secret_for):
        self.local = self.replica.node_id
        self.live = self._greet_client(secret_for)
        start, _ = self._exchange_have(client_first=False)
        if self.live:
            self._run_live(start)
            return
        self._receive_until_bye()
        self._send_feed(start, self.replica.head)
        self.conn.send(Bye(self.result.rows_received, self.result.rows_applied))

    # ---- sending ------------------------------------------------------------------------------------------------

    def _send_feed(self, start: int, through: int | None) -> int:
        """Sends the feed after ``start`` up to ``through`` (its current end when None), a batch at a time. A page
        whose rows the peer has already (taken whole from it) goes as no batch; one empty batch at the end moves the
        peer's position past it."""
        skipped = False
        while through is None or start < through:
            page = self.replica.read_feed(start, through, self.limits.batch_size, self.peer, self._whole_through)
            if page.end == start:
                break
            if not page.states:
                start, skipped = page.end, True
                continue
            skipped = False
            self._send_batch(page.end, page.states)
            start = page.end
        if skipped:
            self._send_batch(start, [])
        return start

    def _send_batch(self, position: int, states):
        if position > self._fence:
            self._fence = self.replica.raise_fence(self.peer)  # durably, before anything beyond it leaves
            if position > self._fence:
                raise Internal(f"The feed was read up to position {position}, beyond its head {self._fence}.")
        # Version 1 has no priors: they are left out for a peer that speaks it.
        self.conn.send(BatchStart(position), *(Row(s if self.version >= 2 else s.without_priors()) for s in states), BatchEnd())
        self.result.rows_sent += len(states)

    # ---- receiving --------------------------------------------------------------------------------------------

    def _receive_until_bye(self) -> Bye:
        while True:
            message = self.conn.read(self.limits.idle_timeout)
            if isinstance(message, Bye):
                return message
            if isinstance(message, BatchStart):
                self._receive_batch(message.position)
            else:
                raise _out_of_order(message, "UCANHAZ or KTHXBAI")

    def _receive_batch(self, position: int):
        if position < self._received_through:
            raise OutOfOrder(f"A batch goes back to position {position} of {self.peer}'s feed, which this side has "
                             f"applied up to {self._received_through}: batch positions never go backwards "
                             f"(docs/protocol.md, section 6).")
        rows, evictions, refusals = [], [], []
        start_bytes = self.conn.bytes_received
        while True:
            message = self.conn.read(self.limits.idle_timeout)
            if isinstance(message, BatchEnd):
                break
            if isinstance(message, Row):
                rows.append(message.state)
            elif isinstance(message, Evict) and not self.serving:
                evictions.append((message.table, message.key))
            elif isinstance(message, Refusal) and not self.serving:
                refusals.append((message.table, message.key, message.reason))
            else:
                raise _out_of_order(message, "a row line or the empty line that ends the batch (NOMOAR and NOPE come "
                                             "from servers only)" if self.serving else
                                    "a row line, NOMOAR, NOPE or the empty line that ends the batch")
            if (len(rows) + len(evictions) + len(refusals) > self.limits.max_rows_per_batch
                    or self.conn.bytes_received - start_bytes > self.limits.max_batch_bytes):
                raise BatchTooLarge(f"A batch holds more than {self.limits.max_rows_per_batch} rows or "
                                    f"{self.limits.max_batch_bytes} bytes.")
        if not rows and not evictions and not refusals and position == self._received_through:
            return  # a keep-alive
        applied = self.replica.apply_batch(self.peer, rows, position, evictions)
        self._received_through = max(self._received_through, position)
        self.result.rows_received += applied.received
        self.result.rows_applied += applied.applied
        self.result.changed.extend(applied.changed)
        self.result.refused.extend(refusals)

    # ---- live -------------------------------------------------------------------------------------------------

    def _run_live(self, start: int):
        failure: list[BaseException] = []
        done = threading.Event()

        def sender():
            try:
                self._send_live(start, done)
            except BaseException as e:  # reported by the reader's thread, which owns the session's end
                if not done.is_set():
                    failure.append(e)
                    self._tell_peer(e)
                    done.set()
                    try:
                        import socket as _s
                        self.conn.sock.shutdown(_s.SHUT_RDWR)
                    except OSError:
                        pass

        thread = threading.Thread(target=sender, name='liblim-live-sender', daemon=True)
        thread.start()
        try:
            self._receive_until_bye()
            done.set()  # the peer left: close
        except ConnectionClosed:
            done.set()
            if failure:
                raise failure[0]
            if not self._stopping.is_set():
                raise
        except BaseException:
            done.set()
            if failure:
                raise failure[0]
            raise
        finally:
            thread.join(5)
        if failure:
            raise failure[0]

    def _send_live(self, start: int, done: threading.Event):
        keep_alive = self.limits.idle_timeout / 3
        last_sent = time.monotonic()
        while not done.is_set():
            if self._stopping.is_set():
                self.conn.send(Bye(self.result.rows_received, self.result.rows_applied))
                try:
                    import socket as _s
                    self.conn.sock.shutdown(_s.SHUT_WR)
                except OSError:
                    pass
                return
            sent_before = self.result.rows_sent
            reached = self._send_feed(start, None)
            if reached != start or self.result.rows_sent != sent_before:
                last_sent = time.monotonic()
            elif time.monotonic() - last_sent >= keep_alive:
                self._send_batch(start, [])
                last_sent = time.monotonic()
            start = reached
            self.replica.wait_for_change(min(self.poll_interval, keep_alive))
