"""A Python liblim peer driven by another program, for conformance tests (the C# suite in
tests/Liblim.EfCore.FunctionalTests/Interop runs it as a real process).

    python3 conformance_peer.py --db FILE --model MODEL [COMMAND [ARG...]]

MODEL is a JSON text (or @file holding one) declaring the tables as the other side models them:
``{"tables":[{"name":"Parts","key":["Bin","Slot"],"columns":[{"name":"Bin","type":"text","nullable":false},...]}]}``.

With a COMMAND, the driver runs it, prints its answer as one JSON line and exits:

    sync ADDRESS SECRET      one-shot sync as a client; then one line per row of the replica ("rows")
    rows                     one JSON line per row state held (live or deleted)
    write OPS                OPS: a JSON array of writes (below)
    serve SECRET [SESSIONS]  prints {"port":N}, serves until stdin closes or SESSIONS sessions ended

Without one, it reads commands from stdin, one JSON object a line, and answers each with one JSON line on stdout
(logs go to stderr), until stdin closes or {"cmd":"quit"}:

    {"cmd":"write","ops":[{"op":"insert","table":T,"values":{col: JSON text}},
                          {"op":"update","table":T,"key":[JSON text,...],"values":{...}},
                          {"op":"delete","table":T,"key":[...]}]}
    {"cmd":"rows"}                                  -> {"ok":true,"node":..,"head":..,"rows":[row,...]}
    {"cmd":"sync","address":A,"secret":S}           -> {"ok":true,"sent":..,"received":..,"applied":..,"restarts":..}
    {"cmd":"serve","secret":S}                      -> {"ok":true,"port":N}
    {"cmd":"results"}                               -> what the server's sessions ended with
    {"cmd":"live","address":A,"secret":S}           -> starts a live session as a client
    {"cmd":"live_state"} / {"cmd":"stop_live"} / {"cmd":"stop_server"} / {"cmd":"node"} / {"cmd":"quit"}
    {"cmd":"status"}                                -> node id, head, and each peer recorded (watermark, fence, ...)

Values travel as their canonical JSON texts (docs/protocol.md section 5), so that both sides compare texts exactly;
a row is ``{"table","key","alive","values":{col:text},"clocks":{col:timestamp or timestamp/prior},"add":[...],"del":[...]}`` with full
timestamps. A failed command answers ``{"ok":false,"error":<code or exception name>,"message":...}``.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from liblim import Column, ProtocolError, Replica, Server, Table, live_sync, sync  # noqa: E402
from liblim.canonical import parse_json  # noqa: E402
from liblim.messages import VERSION  # noqa: E402
from liblim.oid import key_values  # noqa: E402


def load_model(text: str) -> list[Table]:
    if text.startswith('@'):
        with open(text[1:], encoding='utf-8') as f:
            text = f.read()
    model = json.loads(text)
    return [Table(t['name'], tuple(t['key']),
                  tuple(Column(c['name'], c['type'], nullable=bool(c.get('nullable'))) for c in t['columns']))
            for t in model['tables']]


class Peer:
    def __init__(self, path: str, tables: list[Table]):
        self.replica = Replica(path, tables)
        self.tables = {t.name: t for t in tables}
        self.server: Server | None = None
        self.live = None

    # ---- values as canonical JSON texts ----------------------------------------------------------------------------

    def _app_value(self, table: Table, column: str, text: str):
        c = table.column(column)
        return c.decode(c.canonical(parse_json(text)))

    def _values(self, table: Table, values: dict) -> dict:
        return {name: self._app_value(table, name, text) for name, text in values.items()}

    def _key(self, table: Table, key: list) -> tuple:
        return tuple(self._app_value(table, k, text) for k, text in zip(table.key, key))

    # ---- commands ---------------------------------------------------------------------------------------------------

    def write(self, ops) -> dict:
        done = []
        for op in ops:
            table = self.tables[op['table']]
            kind = op['op']
            if kind == 'insert':
                done.append(self.replica.insert(table.name, self._values(table, op['values'])))
            elif kind == 'update':
                done.append(self.replica.update(table.name, self._key(table, op['key']), self._values(table, op['values'])))
            elif kind == 'delete':
                done.append(self.replica.delete(table.name, self._key(table, op['key'])))
            else:
                raise ValueError(f"unknown write {kind!r}")
        return {'ok': True, 'done': done}

    def rows(self) -> dict:
        out = []
        for (table, key), state in sorted(self.replica.all_states().items()):
            out.append({
                'table': table, 'key': key, 'alive': state.alive,
                'values': {name: reg.json for name, reg in sorted(state.columns.items())},
                'clocks': {name: reg.clock.text() + ('/' + reg.prior.text() if reg.prior else '')
                           for name, reg in sorted(state.columns.items())},
                'add': sorted(t.text() for t in state.add_tags),
                'del': sorted(t.text() for t in state.tombstones),
            })
        return {'ok': True, 'node': str(self.replica.node_id), 'head': self.replica.head, 'rows': out}

    def sync(self, address: str, secret: str, version: int = VERSION) -> dict:
        r = sync(self.replica, address, secret, version=version)
        return {'ok': True, 'sent': r.rows_sent, 'received': r.rows_received, 'applied': r.rows_applied,
                'applied_by_peer': r.rows_applied_by_peer, 'restarts': r.restarts}

    def serve(self, secret: str, version: int = VERSION) -> dict:
        self.server = Server(self.replica, secret, host='127.0.0.1', port=0, poll_interval=0.05, version=version).start()
        return {'ok': True, 'port': self.server.port}

    def results(self) -> dict:
        found = []
        if self.server:
            self.server.wait_idle()  # the sessions a client has finished end here a moment later
        for r in list(self.server.results if self.server else []):
            if isinstance(r, BaseException):
                found.append({'ok': False, **describe(r)})
            else:
                found.append({'ok': True, 'received': r.rows_received, 'applied': r.rows_applied, 'sent': r.rows_sent})
        return {'ok': True, 'results': found}

    def start_live(self, address: str, secret: str) -> dict:
        self.live = live_sync(self.replica, address, secret, poll_interval=0.05)
        self.live.established.wait(10)
        return {'ok': True}

    def stop_live(self) -> dict:
        live, self.live = self.live, None
        if live is None:
            return {'ok': True}
        error = live.error
        live.stop()
        return {'ok': error is None, **(describe(error) if error else {})}

    def live_state(self) -> dict:
        live = self.live
        return {'ok': True, 'running': bool(live and live.running),
                **({'error': describe(live.error)} if live and live.error else {})}

    def stop_server(self) -> dict:
        if self.server is not None:
            self.server.stop()
        return {'ok': True}

    def run(self, command: dict) -> dict:
        cmd = command.get('cmd')
        if cmd == 'write':
            return self.write(command['ops'])
        if cmd == 'rows':
            return self.rows()
        if cmd == 'sync':
            return self.sync(command['address'], command['secret'], command.get('version', VERSION))
        if cmd == 'serve':
            return self.serve(command['secret'], command.get('version', VERSION))
        if cmd == 'results':
            return self.results()
        if cmd == 'live':
            return self.start_live(command['address'], command['secret'])
        if cmd == 'live_state':
            return self.live_state()
        if cmd == 'stop_live':
            return self.stop_live()
        if cmd == 'stop_server':
            return self.stop_server()
        if cmd == 'status':
            return {'ok': True, **self.replica.status()}
        if cmd == 'node':
            return {'ok': True, 'node': str(self.replica.node_id)}
        raise ValueError(f"unknown command {cmd!r}")

    def close(self):
        if self.live is not None:
            self.live.stop()
        if self.server is not None:
            self.server.stop()
        self.replica.close()


def describe(e: BaseException) -> dict:
    if isinstance(e, ProtocolError):
        return {'error': e.code, 'message': str(e)}
    return {'error': type(e).__name__, 'message': str(e)}


def answer(payload: dict):
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + '\n')
    sys.stdout.flush()


def safely(peer: Peer, command: dict) -> dict:
    try:
        return peer.run(command)
    except Exception as e:  # an answer, not a crash: the test asserts on it
        logging.getLogger('liblim').debug("command failed", exc_info=True)
        return {'ok': False, **describe(e)}


def main(argv: list[str]) -> int:
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--db', required=True)
    parser.add_argument('--model', required=True)
    parser.add_argument('--log', default='WARNING')
    parser.add_argument('command', nargs='*')
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=args.log.upper(), format='%(asctime)s %(levelname)s %(message)s')
    peer = Peer(args.db, load_model(args.model))
    try:
        if args.command:
            return one_command(peer, args.command)
        for line in sys.stdin:
            if not line.strip():
                continue
            command = json.loads(line)
            if command.get('cmd') == 'quit':
                answer({'ok': True})
                break
            answer(safely(peer, command))
        return 0
    finally:
        peer.close()


def one_command(peer: Peer, words: list[str]) -> int:
    name, rest = words[0], words[1:]
    if name == 'sync':
        result = safely(peer, {'cmd': 'sync', 'address': rest[0], 'secret': rest[1]})
        answer(result)
        for row in peer.rows()['rows']:
            answer(row)
        return 0 if result['ok'] else 1
    if name == 'rows':
        for row in peer.rows()['rows']:
            answer(row)
        return 0
    if name == 'write':
        result = safely(peer, {'cmd': 'write', 'ops': json.loads(rest[0])})
        answer(result)
        return 0 if result['ok'] else 1
    if name == 'serve':
        sessions = int(rest[1]) if len(rest) > 1 else None
        answer(peer.serve(rest[0]))
        closed = threading.Event()
        threading.Thread(target=lambda: (sys.stdin.read(), closed.set()), daemon=True).start()
        while not closed.is_set() and (sessions is None or len(peer.server.results) < sessions):
            closed.wait(0.05)
        answer(peer.results())
        return 0
    answer({'ok': False, 'error': 'usage', 'message': f"unknown command {name!r}"})
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
