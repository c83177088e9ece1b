"""The error transcripts of docs/protocol.md (section 9, "Errors") replayed against this implementation's server.

The C# suite replays the same transcripts against its own server (ErrorTranscriptTests), so both answer what a peer
does wrong with the same lines and codes.
"""

import os
import re
import socket
import unittest
import uuid

from helpers import SECRET, RawClient, TempReplicas
from liblim import Server
from liblim.framing import Limits
from liblim.greeting import CLIENT, SERVER, proof

SPEC = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'docs', 'protocol.md')
CLIENT_NODE = uuid.UUID('af025bd5-ad21-412c-968b-a7ee58795f56')
NONCE = '4f1c9a0e2b7d4c6a8e3f5a1b9c0d2e4f'


def error_transcripts():
    """(title, settings, lines) of each ``liblim-error-transcript`` block; the title is the paragraph before it."""
    with open(SPEC, encoding='utf-8') as f:
        lines = f.read().split('\n')
    found = []
    for i, line in enumerate(lines):
        if line.strip() != '```liblim-error-transcript':
            continue
        title, settings, body = lines[i - 2].strip(), {}, []
        for j in range(i + 1, len(lines)):
            if lines[j].strip() == '```':
                break
            if lines[j].startswith('# '):
                name, value = lines[j][2:].split('=', 1)
                settings[name.strip()] = value.strip()
            else:
                body.append(lines[j])
        found.append((title, settings, body))
    return found


def limits_for(settings) -> Limits:
    limits = Limits()
    for name, value in settings.items():
        if name == 'MaxRowsPerBatch':
            limits.max_rows_per_batch = int(value)
        elif name == 'MaxLineLength':
            limits.max_line_length = int(value)
        elif name == 'HandshakeTimeout':
            limits.handshake_timeout = int(value.replace(' ms', '')) / 1000
        elif name == 'MaxConnections':
            limits.max_connections = int(value)
        else:
            raise ValueError(f"unknown limit {name}")
    return limits


class ErrorTranscripts(unittest.TestCase):
    def setUp(self):
        self.replicas = TempReplicas()

    def tearDown(self):
        self.replicas.close()

    def test_the_specification_has_error_transcripts(self):
        codes = {body[-1][len('S: OHNOES '):] for _, _, body in error_transcripts() if body[-1].startswith('S: OHNOES ')}
        self.assertEqual({'bad-line', 'unknown-verb', 'out-of-order', 'unsupported-version', 'bad-row', 'batch-too-large',
                          'line-too-long', 'timeout', 'busy'}, codes)

    def test_each_error_transcript(self):
        for title, settings, body in error_transcripts():
            with self.subTest(title):
                self.replay(title, settings, body)

    def replay(self, title, settings, body):
        server = Server(self.replicas.new(), SECRET, limits=limits_for(settings)).start()
        held, raw = [], None
        try:
            def connection():
                nonlocal raw
                if raw is None:
                    raw = RawClient(server.port)
                return raw

            for line in body:
                if line == 'C: (another connection)':
                    held.append(socket.create_connection(('127.0.0.1', server.port), timeout=10))
                elif line == 'C: (greeting)':
                    c = connection()
                    c.send(f"ØHAI 1 {CLIENT_NODE} {NONCE}\n".encode())
                    hello = c.line().split(' ')
                    server_node, server_nonce = uuid.UUID(hello[2]), hello[3]
                    c.send(f"ØHAI {proof(SECRET, CLIENT, CLIENT_NODE, NONCE, server_node, server_nonce)}\n".encode())
                    self.assertEqual(f"ØHAI {proof(SECRET, SERVER, CLIENT_NODE, NONCE, server_node, server_nonce)}", c.line(), title)
                elif line == 'C: (greeting line)':
                    connection().send(f"ØHAI 1 {CLIENT_NODE} {NONCE}\n".encode())
                elif line == 'S: (greeting line)':
                    self.assertTrue(connection().line().startswith('ØHAI 1 '), title)
                elif m := re.fullmatch(r'C: \((\d+) bytes of x\)', line):
                    connection().send(b'x' * int(m.group(1)) + b'\n')
                elif line.startswith('C: '):
                    connection().send(line[3:].encode() + b'\n')
                elif line.startswith('S: OHNOES '):
                    got = connection().line()
                    self.assertTrue(got is not None and got.startswith(line[3:] + ' '), f"{title}: expected {line[3:]} ..., got {got!r}")
                elif line.startswith('S: '):
                    self.assertEqual(line[3:], connection().line(), title)
                else:
                    raise ValueError(f"{title}: '{line}' is no line of the notation")
        finally:
            for s in held:
                s.close()
            if raw is not None:
                raw.close()
            server.stop()


if __name__ == '__main__':
    unittest.main()
