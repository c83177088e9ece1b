#!/usr/bin/env python3
"""Checks a liblim server (the C# TodoSync sample, or any hub replicating its table) against this implementation.

    python3 interop_check.py liblim://127.0.0.1:4242 [secret] [--keep DIR]
    python3 interop_check.py --serve PORT [secret] [--db FILE]    (a Python server of the same table, for C# clients)

The secret defaults to TodoSync's ``todo-sync-demo-secret``. Two fresh Python replicas of TodoSync's ``Items`` table
(Id guid key, Title text, Done bool, Notes text?, Priority int) sync with the server: replica A writes (an insert
with text that needs escapes, an update of two columns, a delete, a re-insert), syncing after each, and replica B,
syncing from the server alone, must see exactly what A wrote, value for value; a second sync right after each must
send and apply nothing. Prints each check and exits 0 when all pass, 1 otherwise.
"""

from __future__ import annotations

import os
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from liblim import Column, Replica, Table, sync  # noqa: E402

ITEMS = Table('Items', ('Id',), (
    Column('Id', 'guid'), Column('Title', 'text'), Column('Done', 'bool'),
    Column('Notes', 'text', nullable=True), Column('Priority', 'int32'),
))

failures = 0


def check(what: str, ok: bool, detail: str = ''):
    global failures
    print(f"{'ok  ' if ok else 'FAIL'} {what}{(': ' + detail) if detail else ''}")
    if not ok:
        failures += 1


def serve(argv: list[str]) -> int:
    """Serves a Python replica of the Items table until interrupted, printing each session's outcome."""
    import time
    from liblim import Server
    port = int(argv[argv.index('--serve') + 1])
    db = argv[argv.index('--db') + 1] if '--db' in argv else os.path.join(tempfile.mkdtemp(), 'server.db')
    rest = [a for i, a in enumerate(argv) if not a.startswith('--') and argv[i - 1] not in ('--serve', '--db')]
    secret = rest[0] if rest else 'todo-sync-demo-secret'
    replica = Replica(db, [ITEMS])
    server = Server(replica, secret, host='127.0.0.1', port=port).start()
    print(f"serving {db} (node {replica.node_id}) on {server.address}", flush=True)
    seen = 0
    try:
        while True:
            time.sleep(0.2)
            while seen < len(server.results):
                print(f"session: {server.results[seen]!r}", flush=True)
                seen += 1
                for row in replica.rows('Items'):
                    print(f"  {row}", flush=True)
    except KeyboardInterrupt:
        server.stop()
    return 0


def main(argv: list[str]) -> int:
    if '--serve' in argv:
        return serve(argv)
    args = [a for a in argv if not a.startswith('--')]
    keep = argv[argv.index('--keep') + 1] if '--keep' in argv else None
    if keep:
        args.remove(keep)
    if not args:
        print(__doc__)
        return 2
    address = args[0]
    secret = args[1] if len(args) > 1 else 'todo-sync-demo-secret'
    folder = keep or tempfile.mkdtemp(prefix='liblim-interop-')
    os.makedirs(folder, exist_ok=True)
    a = Replica(os.path.join(folder, 'a.db'), [ITEMS])
    b = Replica(os.path.join(folder, 'b.db'), [ITEMS])
    print(f"replica A {a.node_id}, replica B {b.node_id}, server {address}")

    r = sync(a, address, secret)
    check("A's first sync", True, f"server {r.peer}, received {r.rows_received} rows, applied {r.rows_applied}")
    server_rows = {row['Id']: row for row in a.rows('Items')}
    r = sync(b, address, secret)
    check("B's first sync receives the same rows as A's",
          {row['Id']: row for row in b.rows('Items')} == server_rows, f"{len(server_rows)} rows")
    again = sync(a, address, secret)
    check("a second sync sends and applies nothing", again.rows_sent == 0 and again.rows_applied == 0
          and again.rows_applied_by_peer == 0, f"{again}")

    key = uuid.uuid4()
    title = 'py-interop "quoted" \\ back\tslash ü 😀 \u2028 \x01'
    a.insert('Items', {'Id': key, 'Title': title, 'Done': False, 'Notes': 'line one\nline two', 'Priority': -7})
    r = sync(a, address, secret)
    check("insert: the server applied A's row", r.rows_sent == 1 and r.rows_applied_by_peer == 1, f"{r}")
    sync(b, address, secret)
    check("insert: B has it, value for value", b.get('Items', key) == a.get('Items', key), f"{b.get('Items', key)}")
    check("insert: B's state is A's state (clocks and tags)",
          b.state('Items', ITEMS.key_text(key)).same_as(a.state('Items', ITEMS.key_text(key))))
    again = sync(a, address, secret)
    check("insert: syncing again sends nothing and the server sends nothing back",
          again.rows_sent == 0 and again.rows_received == 0, f"{again}")

    a.update('Items', key, {'Done': True, 'Priority': 2147483647, 'Notes': None})
    sync(a, address, secret)
    sync(b, address, secret)
    check("update: B sees Done, Priority and the null Notes", b.get('Items', key) == a.get('Items', key),
          f"{b.get('Items', key)}")

    b.update('Items', key, {'Title': 'edited by B'})
    sync(b, address, secret)
    r = sync(a, address, secret)
    check("update the other way: A receives B's edit through the server",
          a.get('Items', key)['Title'] == 'edited by B', f"received {r.rows_received}")

    a.delete('Items', key)
    sync(a, address, secret)
    sync(b, address, secret)
    check("delete: the row is gone on B", b.get('Items', key) is None)
    state = b.state('Items', ITEMS.key_text(key))
    check("delete: B keeps the tombstone and the values", state is not None and not state.alive
          and state.columns['Title'].json == '"edited by B"')

    a.insert('Items', {'Id': key, 'Title': 'back again', 'Done': False, 'Priority': 0})
    sync(a, address, secret)
    sync(b, address, secret)
    check("re-insert: the row is back on B", b.get('Items', key) == a.get('Items', key), f"{b.get('Items', key)}")

    a.delete('Items', key)  # leave the server's list as it was, but for a tombstone
    sync(a, address, secret)
    sync(b, address, secret)
    check("A and B hold the same states", a.all_states() == b.all_states())
    print(f"{'all checks passed' if failures == 0 else f'{failures} check(s) failed'}; replicas in {folder}")
    return 0 if failures == 0 else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
