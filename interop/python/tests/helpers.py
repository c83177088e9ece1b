"""Shared test helpers: temporary replicas, the transcripts' table, and a raw line client."""

import os
import socket
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from liblim import Column, Replica, Table  # noqa: E402

ITEMS = Table('Items', ('Id',), (Column('Id', 'int64'), Column('Title', 'text'), Column('Done', 'bool'),
                                 Column('Notes', 'text', nullable=True), Column('Priority', 'int32', nullable=True)))
SHAPES = Table('Shapes', ('Name', 'Sides'), (Column('Name', 'text'), Column('Sides', 'int32'),
                                             Column('Color', 'text', nullable=True), Column('Side', 'double', nullable=True)))
EVERYTHING = Table('Everything', ('Id',), tuple([Column('Id', 'guid')] + [
    Column(n, t, nullable=True) for n, t in [
        ('Text', 'text'), ('Char', 'char'), ('Flag', 'bool'), ('I8', 'int8'), ('U8', 'uint8'), ('I16', 'int16'),
        ('U16', 'uint16'), ('I32', 'int32'), ('U32', 'uint32'), ('I64', 'int64'), ('U64', 'uint64'),
        ('Dbl', 'double'), ('Sgl', 'single'), ('Dec', 'decimal'), ('G', 'guid'), ('Blob', 'bytes'),
        ('When', 'datetime'), ('WhenOff', 'datetimeoffset'), ('Day', 'date'), ('Clock', 'time'), ('Span', 'timespan')]]))
TABLES = [ITEMS, SHAPES, EVERYTHING]
SECRET = 'correct horse battery staple'


class TempReplicas:
    """Makes replicas in a temporary folder and closes them."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix='liblim-test-')
        self.made = []

    def new(self, name=None, tables=TABLES, **kw):
        r = Replica(os.path.join(self.folder, (name or uuid.uuid4().hex) + '.db'), tables, **kw)
        self.made.append(r)
        return r

    def close(self):
        for r in self.made:
            try:
                r.close()
            except Exception:
                pass


class RawClient:
    """A socket that sends raw lines and reads raw lines, for provoking errors."""

    def __init__(self, port):
        self.sock = socket.create_connection(('127.0.0.1', port), timeout=10)
        self.buf = b''

    def send(self, data: bytes):
        self.sock.sendall(data)

    def line(self) -> str:
        while b'\n' not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                rest, self.buf = self.buf, b''
                return rest.decode('utf-8', 'replace') if rest else None
            self.buf += chunk
        line, self.buf = self.buf.split(b'\n', 1)
        return line.decode('utf-8')

    def close(self):
        self.sock.close()
