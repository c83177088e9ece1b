"""The greeting's challenge-response (docs/protocol.md section 3).

Each side sends 16 fresh random bytes as a nonce; each proves it knows the shared secret with the first 16 bytes of
HMAC-SHA256(UTF-8(secret), "liblim/1\\n<role>\\n<client-node>\\n<client-nonce>\\n<server-node>\\n<server-nonce>"),
role ``client`` or ``server`` so that one side's proof cannot be replayed as the other's. The secret never crosses the
wire; proofs are compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

CLIENT, SERVER = 'client', 'server'


def new_nonce() -> str:
    return secrets.token_bytes(16).hex()


def proof(secret: str, role: str, client_node: uuid.UUID, client_nonce: str, server_node: uuid.UUID,
          server_nonce: str, version: int = 1) -> str:
    message = f"liblim/{version}\n{role}\n{client_node}\n{client_nonce}\n{server_node}\n{server_nonce}"
    digest = hmac.new(secret.encode('utf-8'), message.encode('utf-8'), hashlib.sha256).digest()
    return digest[:16].hex()


def verify(expected: str, received: str) -> bool:
    """Whether a received proof is the expected one, in constant time (both are 32 lowercase hex digits)."""
    return len(received) == 32 and hmac.compare_digest(expected.encode('ascii'), received.encode('ascii', 'replace'))
