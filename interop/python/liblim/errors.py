"""Exceptions, one type per protocol error code (docs/protocol.md section 8).

A session that fails raises one of these. ``from_peer`` tells an error the peer reported in an ``OHNOES`` line
apart from one this side detected; only the latter is written to the peer, with ``to_peer`` as the text when the
words for the other side differ from this side's own account (``str(error)``).
"""

from __future__ import annotations


class LiblimError(Exception):
    """Base of every error this package raises on purpose."""


class ProtocolError(LiblimError):
    """A session ended: the peer broke the protocol or a limit, failed to authenticate, or reported an error."""

    code = "internal"

    def __init__(self, message: str, *, to_peer: str | None = None, from_peer: bool = False):
        super().__init__(message)
        self.message = message
        self.to_peer = to_peer
        self.from_peer = from_peer

    @property
    def peer_text(self) -> str:
        """The message of the OHNOES line this side sends for the error."""
        return self.to_peer if self.to_peer is not None else self.message


class BadLine(ProtocolError):
    code = "bad-line"


class UnknownVerb(ProtocolError):
    code = "unknown-verb"


class OutOfOrder(ProtocolError):
    code = "out-of-order"


class UnsupportedVersion(ProtocolError):
    code = "unsupported-version"


class AuthFailed(ProtocolError):
    code = "auth-failed"


class LineTooLong(ProtocolError):
    code = "line-too-long"


class BatchTooLarge(ProtocolError):
    code = "batch-too-large"


class Timeout(ProtocolError):
    code = "timeout"


class BadRow(ProtocolError):
    code = "bad-row"


class Rejected(ProtocolError):
    code = "rejected"


class Busy(ProtocolError):
    code = "busy"


class Restarted(ProtocolError):
    code = "restarted"


class AuthExpired(ProtocolError):
    code = "auth-expired"


class Internal(ProtocolError):
    code = "internal"


class ConnectionClosed(ProtocolError):
    """The connection closed before the session ended. Never sent on the wire (there is nobody to send it to)."""

    code = "closed"


ERROR_TYPES: dict[str, type[ProtocolError]] = {
    cls.code: cls
    for cls in (BadLine, UnknownVerb, OutOfOrder, UnsupportedVersion, AuthFailed, LineTooLong, BatchTooLarge,
                Timeout, BadRow, Rejected, Busy, Restarted, AuthExpired, Internal)
}


def error_for_code(code: str) -> type[ProtocolError]:
    """The exception type of a wire code; an unknown code (or ``closed``, never sent) reads as ``internal``."""
    return ERROR_TYPES.get(code, Internal)


class ValueRejected(LiblimError):
    """A value does not fit its column's type (the batch holding it is refused with ``rejected``)."""


class WriteError(LiblimError):
    """A local write the replica refuses (unknown table or column, a key missing, an insert-only update...)."""
