"""Lines over a socket, with the receiver's limits (docs/protocol.md sections 1 and 10).

``Connection`` reads lines into messages and writes messages as lines. It never looks further for a line's end than
the line-length limit allows (a longer line is ``line-too-long`` at once), turns an ``OHNOES`` line from the peer into
the matching exception, and serializes writes so that a live session's reader and sender threads can share it.
Reads wait with ``select`` rather than socket timeouts, so the sending thread's blocking writes are unaffected.
"""

from __future__ import annotations

import select
import socket
import ssl
import threading
import time
from dataclasses import dataclass

from .errors import ConnectionClosed, LineTooLong, Timeout
from .messages import Error, encode_line, parse_line


@dataclass
class Limits:
    """What a peer may send before it is cut off, and how long it may stay silent (section 10)."""
    max_line_length: int = 1 << 20
    max_rows_per_batch: int = 10_000
    max_batch_bytes: int = 32 << 20
    handshake_timeout: float = 10.0
    idle_timeout: float = 60.0
    batch_size: int = 1000
    max_connections: int = 64
    max_clock_drift: float = 300.0


class Connection:
    """One connection's line I/O. ``bytes_received`` counts the bytes of whole lines taken (for batch byte limits)."""

    def __init__(self, sock: socket.socket, limits: Limits, remote: str = ''):
        self.sock = sock
        self.limits = limits
        self.remote = remote
        self._buffer = bytearray()
        self._eof = False
        self._write_lock = threading.Lock()
        self.bytes_received = 0
        self.bytes_sent = 0
        self.closed = False

    # ---- reading ---------------------------------------------------------------------------------------------------

    def read_line(self, timeout: float) -> bytes:
        """The next line without its ending (a ``\\r`` before the ``\\n`` dropped)."""
        limit = self.limits.max_line_length
        deadline = time.monotonic() + timeout
        scanned = 0
        while True:
            window_end = min(len(self._buffer), limit + 2)
            nl = self._buffer.find(b'\n', scanned, window_end)
            if nl >= 0:
                line = bytes(self._buffer[:nl])
                del self._buffer[:nl + 1]
                self.bytes_received += nl + 1
                if line.endswith(b'\r'):
                    line = line[:-1]
                if len(line) > limit:
                    raise LineTooLong(f"A line is longer than the limit of {limit} bytes.")
                return line
            scanned = window_end
            if len(self._buffer) > limit + 1 or (len(self._buffer) == limit + 1 and self._buffer[limit] != 0x0D):
                raise LineTooLong(f"A line is longer than the limit of {limit} bytes.")
            if self._eof:
                raise ConnectionClosed("The peer closed the connection before the session ended." if not self._buffer
                                       else "The peer closed the connection in the middle of a line.")
            self._fill(deadline, timeout)

    def _fill(self, deadline: float, timeout: float):
        while True:
            pending = self.sock.pending() if isinstance(self.sock, ssl.SSLSocket) else 0
            if not pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Timeout(f"The peer sent nothing for {timeout:g} s.")
                try:
                    ready, _, _ = select.select([self.sock], [], [], min(left, 1.0))
                except (OSError, ValueError) as e:
                    raise ConnectionClosed(f"The connection broke: {e}") from None
                if not ready:
                    continue
            try:
                chunk = self.sock.recv(65536)
            except ssl.SSLWantReadError:
                continue
            except (OSError, ValueError) as e:
                raise ConnectionClosed(f"The connection broke: {e}") from None
            if not chunk:
                self._eof = True
            else:
                self._buffer += chunk
            return

    def read(self, timeout: float):
        """The next message; an OHNOES line from the peer is raised as its exception (``from_peer`` set)."""
        message = parse_line(self.read_line(timeout))
        if isinstance(message, Error):
            raise message.exception()
        return message

    # ---- writing ---------------------------------------------------------------------------------------------------

    def send(self, *messages):
        data = b''.join(encode_line(m) for m in messages)
        self.send_bytes(data)

    def send_bytes(self, data: bytes):
        with self._write_lock:
            try:
                self.sock.sendall(data)
            except (OSError, ValueError) as e:
                raise ConnectionClosed(f"The connection broke: {e}") from None
            self.bytes_sent += len(data)

    def try_send_last(self, *messages):
        """Sends a session's last line (OHNOES or KTHXBAI) if the connection still takes it."""
        try:
            self.send(*messages)
        except Exception:
            pass

    def close(self, linger: float = 2.0):
        """Closes the connection. Our side's writing ends first and what the peer still sends is read and dropped for
        up to ``linger`` seconds (until it closes too), so that closing with unread data cannot reset the connection
        before the peer has read our last line."""
        if self.closed:
            return
        self.closed = True
        try:
            self.sock.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + linger
            while linger > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                ready, _, _ = select.select([self.sock], [], [], left)
                if ready and not self.sock.recv(65536):
                    break
        except (OSError, ValueError):
            pass
        try:
            self.sock.close()
        except OSError:
            pass
