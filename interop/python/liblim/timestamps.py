"""Hybrid logical clock timestamps (docs/protocol.md section 5, "Timestamps" and "Short timestamps").

A timestamp is 16 lowercase hex digits of ticks (wall-clock milliseconds since the Unix epoch shifted left 16 bits,
plus a 16-bit counter), a dot, and the 32 lowercase hex digits of the writing node's id. Ordering by (ticks, node)
is the ordinal order of the fixed-length text, so a tuple of the two integers orders like the C# struct.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass

COUNTER_BITS = 16
ADOPTION_NODE = uuid.UUID('00000000-0000-0000-0000-00000000ad07')
_FULL = re.compile(r'^[0-9a-f]{16}\.[0-9a-f]{32}$')
_SHORT = re.compile(r'^[0-9a-f]{16}$')
_MAX_TICKS = (1 << 63) - 1


@dataclass(frozen=True, order=True)
class Timestamp:
    """A clock reading made unique by its node. Compared as (ticks, node), as the C# ``HybridTimestamp``."""
    ticks: int
    node: int  # the node id as a 128-bit number: its order is the order of its 32-hex-digit text

    def __post_init__(self):
        if not 0 <= self.ticks <= _MAX_TICKS:
            raise ValueError("timestamp ticks out of range")

    @staticmethod
    def of(ticks: int, node: uuid.UUID) -> "Timestamp":
        return Timestamp(ticks, node.int)

    @property
    def node_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.node)

    @property
    def milliseconds(self) -> int:
        return self.ticks >> COUNTER_BITS

    def text(self) -> str:
        return f"{self.ticks:016x}.{self.node:032x}"

    def short(self) -> str:
        return f"{self.ticks:016x}"

    def __str__(self) -> str:
        return self.text()

    def same_node(self, other: "Timestamp") -> bool:
        return self.node == other.node

    @staticmethod
    def parse(text: str) -> "Timestamp":
        """The full form; ValueError for anything else."""
        if not isinstance(text, str) or not _FULL.match(text):
            raise ValueError("a timestamp is 16 lowercase hex digits, '.', 32 lowercase hex digits")
        ticks = int(text[:16], 16)
        if ticks > _MAX_TICKS:
            raise ValueError("timestamp ticks out of range")
        return Timestamp(ticks, int(text[17:], 16))

    @staticmethod
    def parse_in_state(text, base: "Timestamp | None") -> "Timestamp":
        """A timestamp inside a row state's "c", "a" or "d": full, or short (ticks alone) when it shares the node of
        the base clock "t". A short one without a base clock is an error (the caller makes it bad-row)."""
        if isinstance(text, str) and _SHORT.match(text):
            ticks = int(text, 16)
            if ticks > _MAX_TICKS:
                raise ValueError("timestamp ticks out of range")
            if base is None:
                raise ValueError("a timestamp of ticks alone needs the base clock 't' for its node")
            return Timestamp(ticks, base.node)
        return Timestamp.parse(text)

    def in_state(self, base: "Timestamp | None") -> str:
        """The text written inside a state: short when it shares the base clock's node."""
        return self.short() if base is not None and base.node == self.node else self.text()


def pack(milliseconds: int, counter: int = 0) -> int:
    return (milliseconds << COUNTER_BITS) | counter


def wall_ticks() -> int:
    return pack(time.time_ns() // 1_000_000)


def next_ticks(last: int, wall: int | None = None) -> int:
    """The HLC rule for a local write: the wall clock when it is ahead of the last reading issued or received,
    otherwise the last one plus one, so the clock never goes back."""
    wall = wall_ticks() if wall is None else wall
    return wall if wall > last else last + 1


def receive_ticks(last: int, remote: int) -> int:
    """The clock after seeing a remote reading: never behind it, so later local writes order after it."""
    return max(last, remote)


def node_text(node: uuid.UUID) -> str:
    """A node id as the protocol writes it in greetings and IHAZ: 8-4-4-4-12 lowercase hex."""
    return str(node)


_NODE = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')


def parse_node(text: str) -> uuid.UUID | None:
    """A node id in 8-4-4-4-12 form, lowercase; None when the text is not one."""
    return uuid.UUID(text) if isinstance(text, str) and _NODE.match(text) else None
