"""liblim: a Python implementation of the liblim sync protocol, versions 1 and 2 (docs/protocol.md of Liblim.EfCore).

Declare tables, write rows through ``Replica``, and sync with a Liblim hub (``sync``, ``live_sync``) or serve peers
(``Server``). Standard library only.
"""

from .errors import (AuthExpired, AuthFailed, BadLine, BadRow, BatchTooLarge, Busy, ConnectionClosed, Internal,
                     LiblimError, LineTooLong, OutOfOrder, ProtocolError, Rejected, Restarted, Timeout, UnknownVerb,
                     UnsupportedVersion, WriteError)
from .framing import Limits
from .replica import Replica, Table
from .session import SyncResult
from .transport import LiveSync, Server, live_sync, parse_address, sync
from .values import Column

__all__ = [
    'Column', 'Table', 'Replica', 'Limits', 'Server', 'sync', 'live_sync', 'LiveSync', 'SyncResult', 'parse_address',
    'LiblimError', 'ProtocolError', 'BadLine', 'UnknownVerb', 'OutOfOrder', 'UnsupportedVersion', 'AuthFailed',
    'LineTooLong', 'BatchTooLarge', 'Timeout', 'BadRow', 'Rejected', 'Busy', 'Restarted', 'AuthExpired', 'Internal',
    'ConnectionClosed', 'WriteError',
]
