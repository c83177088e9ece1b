"""Addresses, client connections and the server (docs/protocol.md section 11: ``liblim://`` TCP, ``liblims://`` TLS).

WebSocket addresses (``ws://``, ``wss://``) are not supported by this implementation.
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
import time
import uuid
from typing import Callable
from urllib.parse import urlsplit

from .errors import Busy, ConnectionClosed, ProtocolError, Restarted, UnsupportedVersion
from .messages import OLDEST_VERSION, VERSION
from .framing import Connection, Limits
from .messages import Error
from .replica import Replica
from .session import Session, SyncResult

log = logging.getLogger('liblim')
DEFAULT_PORT = 4242


def parse_address(address: str) -> tuple[str, int, bool]:
    """(host, port, tls) of ``liblim://host[:port]`` or ``liblims://host[:port]``."""
    parts = urlsplit(address)
    if parts.scheme not in ('liblim', 'liblims') or not parts.hostname:
        raise ValueError(f"'{address}' is not a liblim peer address; write liblim://host:port (or liblims://host:port "
                         f"for TLS). WebSocket hubs are not supported by the Python implementation.")
    return parts.hostname, parts.port or DEFAULT_PORT, parts.scheme == 'liblims'


def connect(address: str, limits: Limits | None = None, ssl_context: ssl.SSLContext | None = None,
            timeout: float = 10.0) -> Connection:
    host, port, tls = parse_address(address)
    sock = socket.create_connection((host, port), timeout=timeout)
    sock.settimeout(None)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if tls:
        context = ssl_context or ssl.create_default_context()
        sock = context.wrap_socket(sock, server_hostname=host)  # checks the certificate for the host name
    return Connection(sock, limits or Limits(), f"{host}:{port}")


def sync(replica: Replica, address: str, secret: str, *, limits: Limits | None = None,
         ssl_context: ssl.SSLContext | None = None, max_restarts: int = 3, version: int = VERSION) -> SyncResult:
    """A one-shot sync with the server at ``address``: both sides end up with each other's changes. When either side
    takes a new node id (``restarted``: a restored or copied database), it connects again at once; when the server
    does not speak the offered protocol version, it connects again offering the next older one."""
    restarts = 0
    while True:
        conn = connect(address, limits, ssl_context)
        try:
            result = Session(conn, replica, version=version).run_client(secret, live=False)
            result.restarts = restarts
            return result
        except Restarted:
            restarts += 1
            if restarts > max_restarts:
                raise
        except UnsupportedVersion as e:
            if not e.from_peer or version <= OLDEST_VERSION:
                raise
            version -= 1


class LiveSync:
    """A live session run in a background thread (``live_sync``). ``stop()`` ends it with KTHXBAI; ``error`` holds
    what ended it otherwise; ``result`` counts what it did."""

    def __init__(self, replica: Replica, address: str, secret: str, limits: Limits | None,
                 ssl_context: ssl.SSLContext | None, poll_interval: float):
        self._args = (replica, address, secret, limits, ssl_context, poll_interval)
        self.session: Session | None = None
        self.error: BaseException | None = None
        self.result: SyncResult | None = None
        self.established = threading.Event()
        self._thread = threading.Thread(target=self._run, name='liblim-live', daemon=True)
        self._thread.start()

    def _run(self):
        replica, address, secret, limits, ssl_context, poll = self._args
        for _ in range(4):
            try:
                conn = connect(address, limits, ssl_context)
                self.session = Session(conn, replica, poll_interval=poll)
                self.established.set()
                self.result = self.session.run_client(secret, live=True)
                return
            except Restarted:
                continue
            except BaseException as e:
                self.error = e
                self.established.set()
                return

    def stop(self, timeout: float = 10.0):
        if self.session is not None:
            self.session.stop()
        self._thread.join(timeout)

    def join(self, timeout: float | None = None):
        self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()


def live_sync(replica: Replica, address: str, secret: str, *, limits: Limits | None = None,
              ssl_context: ssl.SSLContext | None = None, poll_interval: float = 0.25) -> LiveSync:
    """Starts a live session with the server at ``address``: changes saved on either side reach the other as they
    happen, until ``stop()``."""
    return LiveSync(replica, address, secret, limits, ssl_context, poll_interval)


class Server:
    """Serves a replica to peers over TCP (or TLS with ``ssl_context``), one thread per connection.

    ``secret`` is the shared secret of every peer; ``secret_for(node_id)`` instead gives one per peer (None refuses
    the peer). At ``limits.max_connections`` sessions, a new connection is answered ``OHNOES busy``.
    """

    def __init__(self, replica: Replica, secret: str | None = None, *, host: str = '127.0.0.1', port: int = 0,
                 secret_for: Callable[[uuid.UUID], str | None] | None = None, limits: Limits | None = None,
                 ssl_context: ssl.SSLContext | None = None, poll_interval: float = 0.25, version: int = VERSION):
        """``version``: the newest protocol version it speaks (a client offering a newer one is refused)."""
        if secret is None and secret_for is None:
            raise ValueError("a server needs a secret or secret_for")
        self.replica = replica
        self.secret_for = secret_for or (lambda node: secret)
        self.limits = limits or Limits()
        self.ssl_context = ssl_context
        self.poll_interval = poll_interval
        self.version = version
        self._listener = socket.create_server((host, port), reuse_port=False)
        self.host, self.port = self._listener.getsockname()[:2]
        self._sessions: set[Session] = set()
        self._slots = threading.Semaphore(self.limits.max_connections)
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self.results: list = []  # (SyncResult or exception) of each session, for tests and logs (see wait_idle)
        self._thread = threading.Thread(target=self._accept, name='liblim-server', daemon=True)

    @property
    def address(self) -> str:
        return f"{'liblims' if self.ssl_context else 'liblim'}://{self.host}:{self.port}"

    def start(self) -> "Server":
        self._thread.start()
        return self

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Waits until no session runs (each one's outcome is in ``results`` by then); False if one still runs at the
        timeout. A peer may have its answer before this side's session thread has ended."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._sessions:
                    return True
            time.sleep(0.01)
        return False

    def stop(self):
        self._stopping.set()
        self._thread.join(5)
        try:
            self._listener.close()
        except OSError:
            pass
        with self._lock:
            sessions = list(self._sessions)
        for s in sessions:
            s.stop()

    def _accept(self):
        self._listener.settimeout(0.2)  # so that stop() is noticed: closing a socket does not wake accept()
        while not self._stopping.is_set():
            try:
                sock, addr = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            sock.settimeout(None)
            threading.Thread(target=self._serve, args=(sock, addr), daemon=True).start()

    def _serve(self, sock, addr):
        remote = f"{addr[0]}:{addr[1]}"
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.ssl_context is not None:
            try:
                sock.settimeout(self.limits.handshake_timeout)
                sock = self.ssl_context.wrap_socket(sock, server_side=True)
                sock.settimeout(None)
            except (OSError, ssl.SSLError):
                sock.close()
                return
        conn = Connection(sock, self.limits, remote)
        if not self._slots.acquire(blocking=False):
            log.warning("Refused %s: already serving %d peers.", remote, self.limits.max_connections)
            conn.try_send_last(Error(Busy.code, f"The server is serving its maximum of {self.limits.max_connections} "
                                                f"peers; try again later."))
            conn.close()
            return
        session = Session(conn, self.replica, poll_interval=self.poll_interval, version=self.version)
        with self._lock:
            self._sessions.add(session)
        try:
            self.results.append(session.run_server(self.secret_for))
        except BaseException as e:
            self.results.append(e)
            if not isinstance(e, (ProtocolError,)):
                log.exception("session with %s failed", remote)
        finally:
            with self._lock:
                self._sessions.discard(session)
            self._slots.release()
