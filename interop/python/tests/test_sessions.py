"""Python client against Python server over real loopback sockets: one-shot and live sessions, deletes and
re-inserts, composite and escaped keys, every value type, and each error code that can be provoked."""

import datetime as dt
import os
import shutil
import socket
import time
import unittest
import uuid
from decimal import Decimal

from helpers import ITEMS, SECRET, RawClient, TempReplicas

from liblim import (AuthFailed, BadLine, BadRow, BatchTooLarge, Busy, Internal, Limits, LineTooLong, OutOfOrder,
                    Rejected, Restarted, Server, Timeout, UnknownVerb, UnsupportedVersion, live_sync, sync)
from liblim import greeting
from liblim.messages import Have, Hello, Proof, format_message


def wait_for(predicate, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = TempReplicas()
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop()
        self.tmp.close()
        shutil.rmtree(self.tmp.folder, ignore_errors=True)

    def serve(self, replica, **kw):
        kw.setdefault('secret', SECRET)
        secret = kw.pop('secret')
        server = Server(replica, secret, **kw).start()
        self.servers.append(server)
        return server


class OneShot(Base):
    def test_rows_go_both_ways_and_a_second_sync_moves_nothing(self):
        hub, phone = self.tmp.new('hub'), self.tmp.new('phone')
        server = self.serve(hub)
        hub.insert('Items', {'Id': 7, 'Title': 'Call Bob', 'Done': False})
        phone.insert('Items', {'Id': 42, 'Title': 'Buy milk', 'Done': False, 'Notes': None})
        r = sync(phone, server.address, SECRET)
        self.assertEqual((r.rows_sent, r.rows_received, r.rows_applied, r.rows_applied_by_peer), (1, 1, 1, 1))
        self.assertEqual([x['Id'] for x in hub.rows('Items')], [42, 7])
        self.assertEqual(hub.all_states(), phone.all_states())
        again = sync(phone, server.address, SECRET)
        self.assertEqual((again.rows_sent, again.rows_received), (0, 0))

    def test_a_server_of_version_1_is_met_again_in_version_1_and_sent_no_priors(self):
        hub, phone = self.tmp.new('hub'), self.tmp.new('phone')
        server = self.serve(hub, version=1)
        phone.insert('Items', {'Id': 42, 'Title': 'Buy milk', 'Done': False, 'Notes': None})
        phone.update('Items', 42, {'Title': 'Buy oat milk'})
        r = sync(phone, server.address, SECRET)  # offers 2, is refused, connects again offering 1
        self.assertEqual(r.rows_sent, 1)
        ((_, at_phone),) = phone.all_states().items()
        ((_, at_hub),) = hub.all_states().items()
        self.assertIsNotNone(at_phone.columns['Title'].prior)
        self.assertIsNone(at_hub.columns['Title'].prior)
        self.assertEqual(at_hub.columns['Title'], at_phone.columns['Title'].__class__(at_phone.columns['Title'].json, at_phone.columns['Title'].clock))

    def test_concurrent_edits_of_different_columns_both_survive_and_later_write_wins(self):
        hub, a, b = self.tmp.new('hub'), self.tmp.new('a'), self.tmp.new('b')
        server = self.serve(hub)
        a.insert('Items', {'Id': 1, 'Title': 'x', 'Done': False})
        sync(a, server.address, SECRET)
        sync(b, server.address, SECRET)
        a.update('Items', 1, {'Title': 'from a'})
        b.update('Items', 1, {'Done': True})
        b.update('Items', 1, {'Notes': 'b later'})
        time.sleep(0.005)  # a later millisecond: within one, the greater node id would win
        a.update('Items', 1, {'Notes': 'a latest'})
        for r in (a, b, a):
            sync(r, server.address, SECRET)
        want = {'Id': 1, 'Title': 'from a', 'Done': True, 'Notes': 'a latest', 'Priority': None}
        self.assertEqual(a.get('Items', 1), want)
        self.assertEqual(b.get('Items', 1), want)

    def test_deletes_and_reinserts(self):
        hub, a, b = self.tmp.new('hub'), self.tmp.new('a'), self.tmp.new('b')
        server = self.serve(hub)
        a.insert('Items', {'Id': 1, 'Title': 'x', 'Done': False})
        sync(a, server.address, SECRET)
        sync(b, server.address, SECRET)
        a.delete('Items', 1)
        b.update('Items', 1, {'Title': 'edited while deleted'})
        sync(a, server.address, SECRET)
        sync(b, server.address, SECRET)
        sync(a, server.address, SECRET)
        self.assertIsNone(a.get('Items', 1))
        self.assertIsNone(b.get('Items', 1))  # an update does not resurrect
        b.insert('Items', {'Id': 1, 'Title': 'again', 'Done': True})
        sync(b, server.address, SECRET)
        sync(a, server.address, SECRET)
        self.assertEqual(a.get('Items', 1)['Title'], 'again')
        self.assertEqual(hub.all_states(), a.all_states())

    def test_composite_and_escaped_keys(self):
        hub, a = self.tmp.new('hub'), self.tmp.new('a')
        server = self.serve(hub)
        keys = [('sq:1', 3), ('a/b c%', -1), ('line\nbreak', 0), ('\x7f\x00', 1), ('😀 ü', 2)]
        for name, sides in keys:
            a.insert('Shapes', {'Name': name, 'Sides': sides, 'Color': 'red', 'Side': 2.5})
        sync(a, server.address, SECRET)
        self.assertEqual(sorted((r['Name'], r['Sides']) for r in hub.rows('Shapes')), sorted(keys))
        a.delete('Shapes', ('sq:1', 3))
        sync(a, server.address, SECRET)
        self.assertIsNone(hub.get('Shapes', ('sq:1', 3)))

    def test_every_value_type(self):
        hub, a = self.tmp.new('hub'), self.tmp.new('a')
        server = self.serve(hub)
        row = {'Id': uuid.uuid4(), 'Text': 'é "q" \\ \n 😀', 'Char': 'x', 'Flag': True, 'I8': -128, 'U8': 255,
               'I16': -32768, 'U16': 65535, 'I32': -2 ** 31, 'U32': 2 ** 32 - 1, 'I64': -2 ** 63, 'U64': 2 ** 64 - 1,
               'Dbl': 1e21, 'Sgl': 0.5, 'Dec': Decimal('12.5'), 'G': uuid.uuid4(), 'Blob': b'\x00\x01\xff',
               'When': '2026-12-06T16:12:00.1234567Z', 'WhenOff': '2026-12-06T16:12:00.0000000+05:30',
               'Day': dt.date(2026, 2, 28), 'Clock': '23:59:59.9999999', 'Span': '-1.02:03:04.5000000'}
        a.insert('Everything', row)
        nulls = {'Id': uuid.uuid4()}
        a.insert('Everything', nulls)
        sync(a, server.address, SECRET)
        self.assertEqual(hub.get('Everything', row['Id']), row)
        self.assertTrue(all(v is None for k, v in hub.get('Everything', nulls['Id']).items() if k != 'Id'))
        self.assertEqual(hub.all_states(), a.all_states())

    def test_tables_and_columns_the_receiver_lacks_are_kept_and_passed_on(self):
        from liblim import Column, Table
        newer = [Table('Items', ('Id',), ITEMS.columns + (Column('Color', 'text', nullable=True),)),
                 Table('Extra', ('K',), (Column('K', 'text'), Column('V', 'int32')))]
        a, b = self.tmp.new('a', tables=newer), self.tmp.new('b', tables=newer)
        hub = self.tmp.new('hub', tables=[ITEMS])
        server = self.serve(hub)
        a.insert('Items', {'Id': 1, 'Title': 't', 'Done': False, 'Color': 'blue'})
        a.insert('Extra', {'K': 'k', 'V': 5})
        sync(a, server.address, SECRET)
        sync(b, server.address, SECRET)
        self.assertEqual(b.get('Items', 1)['Color'], 'blue')
        self.assertEqual(b.get('Extra', 'k')['V'], 5)
        hub.update('Items', 1, {'Title': 'hub edit'})
        sync(b, server.address, SECRET)
        self.assertEqual(b.get('Items', 1), {'Id': 1, 'Title': 'hub edit', 'Done': False, 'Notes': None,
                                             'Priority': None, 'Color': 'blue'})

    def test_tls(self):
        import ssl
        import subprocess
        cert, key = os.path.join(self.tmp.folder, 'c.pem'), os.path.join(self.tmp.folder, 'k.pem')
        try:
            subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
                            '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'],
                           check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError):
            self.skipTest('openssl is not available to make a certificate')
        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain(cert, key)
        client_ctx = ssl.create_default_context(cafile=cert)
        hub, a = self.tmp.new('hub'), self.tmp.new('a')
        server = self.serve(hub, ssl_context=server_ctx)
        a.insert('Items', {'Id': 1, 'Title': 'secret', 'Done': False})
        r = sync(a, f"liblims://localhost:{server.port}", SECRET, ssl_context=client_ctx)
        self.assertEqual(r.rows_applied_by_peer, 1)
        with self.assertRaises(ssl.SSLError):
            sync(a, f"liblims://localhost:{server.port}", SECRET)  # the certificate is not trusted by default


class Live(Base):
    def test_changes_are_pushed_both_ways_and_the_session_ends_with_kthxbai(self):
        hub, laptop = self.tmp.new('hub'), self.tmp.new('laptop')
        server = self.serve(hub, poll_interval=0.05)
        hub.insert('Items', {'Id': 1, 'Title': 'before', 'Done': False})
        live = live_sync(laptop, server.address, SECRET, poll_interval=0.05)
        self.assertTrue(wait_for(lambda: laptop.get('Items', 1) is not None))
        hub.update('Items', 1, {'Title': 'pushed'})
        self.assertTrue(wait_for(lambda: laptop.get('Items', 1)['Title'] == 'pushed'))
        laptop.insert('Items', {'Id': 2, 'Title': 'from laptop', 'Done': False})
        self.assertTrue(wait_for(lambda: hub.get('Items', 2) is not None))
        hub.delete('Items', 1)
        self.assertTrue(wait_for(lambda: laptop.get('Items', 1) is None))
        hub.insert('Items', {'Id': 1, 'Title': 'back', 'Done': True})
        self.assertTrue(wait_for(lambda: (laptop.get('Items', 1) or {}).get('Title') == 'back'))
        live.stop()
        self.assertIsNone(live.error)
        self.assertFalse(live.running)
        self.assertTrue(wait_for(lambda: len(server.results) == 1))
        self.assertEqual(hub.all_states(), laptop.all_states())

    def test_an_idle_session_sends_keep_alives(self):
        hub, laptop = self.tmp.new('hub'), self.tmp.new('laptop')
        limits = Limits(idle_timeout=0.6)
        server = self.serve(hub, limits=limits, poll_interval=0.05)
        live = live_sync(laptop, server.address, SECRET, limits=limits, poll_interval=0.05)
        time.sleep(2.0)  # three idle timeouts: only keep-alives keep it up
        self.assertTrue(live.running)
        self.assertIsNone(live.error)
        live.stop()


class Errors(Base):
    def greet(self, server, hub, node=None, version=1, live=''):
        c = RawClient(server.port)
        node = node or uuid.uuid4()
        nonce = greeting.new_nonce()
        c.send(f"ØHAI {version} {node} {nonce}{live}\n".encode())
        return c, node, nonce

    def authenticate(self, server, hub, node=None):
        c, node, nonce = self.greet(server, hub, node=node)
        hello = c.line().split(' ')
        snode, snonce = uuid.UUID(hello[2]), hello[3]
        c.send(f"ØHAI {greeting.proof(SECRET, 'client', node, nonce, snode, snonce)}\n".encode())
        self.assertTrue(c.line().startswith('ØHAI '))
        return c, node, snode

    def last_error(self, server, kind):
        self.assertTrue(wait_for(lambda: server.results))
        self.assertIsInstance(server.results[-1], kind)

    def test_wrong_secret(self):
        hub, a = self.tmp.new('hub'), self.tmp.new('a')
        server = self.serve(hub)
        with self.assertRaises(AuthFailed) as e:
            sync(a, server.address, 'wrong')
        self.assertIn('not configured with the same shared secret', str(e.exception))
        self.last_error(server, AuthFailed)
        self.assertEqual(hub.status()['peers'], [])  # nothing recorded for a peer that did not authenticate

    def test_a_node_without_a_secret_is_refused(self):
        hub, a = self.tmp.new('hub'), self.tmp.new('a')
        server = self.serve(hub, secret=None, secret_for=lambda node: None)
        with self.assertRaises(AuthFailed):
            sync(a, server.address, SECRET)

    def test_unsupported_version(self):
        hub = self.tmp.new('hub')
        server = self.serve(hub)
        c, _, _ = self.greet(server, hub, version=3)
        self.assertTrue(c.line().startswith('OHNOES unsupported-version '))

    def test_own_node_id_is_rejected(self):
        hub = self.tmp.new('hub')
        server = self.serve(hub)
        c, _, _ = self.greet(server, hub, node=hub.node_id)
        self.assertTrue(c.line().startswith('OHNOES rejected '))

    def test_bad_line_unknown_verb_and_out_of_order(self):
        hub = self.tmp.new('hub')
        server = self.serve(hub)
        for data, code in [(b'\xff\n', 'bad-line'), (b'HELLO\n', 'unknown-verb'), (b'IHAZ {}\n', 'out-of-order'),
                           ('ØHAI 1 %s %s authenticated\n' % (uuid.uuid4(), '0' * 32), 'bad-line')]:
            c = RawClient(server.port)
            c.send(data.encode() if isinstance(data, str) else data)
            self.assertTrue(c.line().startswith(f'OHNOES {code} '), data)
            c.close()

    def test_errors_after_the_greeting(self):
        hub = self.tmp.new('hub')
        server = self.serve(hub, limits=Limits(max_line_length=2048, max_rows_per_batch=2))
        row = 'Items/[1]:{"t":"%s","v":{"Done":false,"Title":"x"},"a":["%s"]}'
        stamp = '019ab697e8000000.' + uuid.uuid4().hex
        short = stamp[:16]
        for lines, code in [
            (['UCANHAZ 1'], 'out-of-order'),                                    # before IHAZ
            (['IHAZ {}', 'UCANHAZ 1', 'x' * 3000], 'line-too-long'),
            (['IHAZ {}', 'UCANHAZ 1', 'Items/[1]:{"q":1}'], 'bad-row'),
            (['IHAZ {}', 'UCANHAZ 1', 'NOMOAR Items/[1]'], 'out-of-order'),    # from a client
            (['IHAZ {}', 'UCANHAZ 1'] + [row % (stamp, short)] * 3, 'batch-too-large'),
            (['IHAZ {}', 'UCANHAZ 1', (row % (stamp, short)).replace('false', '"no"'), ''], 'rejected'),
            (['IHAZ {}', 'UCANHAZ 1', 'Items/["a"]:{"t":"%s","v":{"Done":false,"Title":"x"},"a":["%s"]}' % (stamp, short), ''], 'rejected'),
            (['IHAZ {}', 'UCANHAZ 1', 'Items/[2]:{"t":"%s","v":{"Done":false},"a":["%s"]}' % (stamp, short), ''], 'rejected'),
            (['IHAZ {}', 'UCANHAZ 1', row % ('7fffffffffff0000.' + uuid.uuid4().hex, '7fffffffffff0000'), ''], 'rejected'),
        ]:
            c, node, snode = self.authenticate(server, hub)
            c.send(''.join(l + '\n' for l in lines).encode())
            answer = c.line()
            if answer.startswith('IHAZ'):
                answer = c.line()
            self.assertTrue(answer and answer.startswith(f'OHNOES {code} '), f"{code}: {answer}")
            c.close()
        self.assertIsNone(hub.get('Items', 1))  # nothing of a refused batch is stored

    def test_a_batch_below_the_receivers_position_is_out_of_order(self):
        """Section 6: a batch never goes below the position the receiver named in IHAZ, nor below the previous
        batch's (equal is allowed); the batch before it stays applied, the watermark does not go back."""
        hub = self.tmp.new('hub')
        server = self.serve(hub)
        stamp = '019ab697e8000000.' + uuid.uuid4().hex
        row = 'Items/[%d]:{"t":"%s","v":{"Done":false,"Title":"x"},"a":["%s"]}'
        c, node, snode = self.authenticate(server, hub)
        c.send(f'IHAZ {{"{snode}":0}}\nUCANHAZ 5\n{row % (1, stamp, stamp[:16])}\n\nUCANHAZ 5\n\nUCANHAZ 3\n\n'.encode())
        self.assertTrue(c.line().startswith('IHAZ '))
        answer = c.line()
        self.assertTrue(answer.startswith('OHNOES out-of-order '), answer)
        c.close()
        self.assertIsNotNone(hub.get('Items', 1))
        self.assertEqual(hub.positions(node).watermark, 5)
        c, _, _ = self.authenticate(server, hub, node=node)  # the next session: below what its IHAZ names
        c.send(f'IHAZ {{"{snode}":0}}\nUCANHAZ 4\n{row % (2, stamp, stamp[:16])}\n\n'.encode())
        self.assertEqual(c.line(), f'IHAZ {{"{node}":5}}')
        self.assertTrue(c.line().startswith('OHNOES out-of-order '))
        c.close()
        self.assertIsNone(hub.get('Items', 2))

    def test_ihaz_whole_true_gets_the_rows_taken_whole_from_the_asker(self):
        """Section 4: asked with "whole":true, a sender leaves out nothing it took whole from the receiver."""
        hub, a = self.tmp.new('hub'), self.tmp.new('a')
        server = self.serve(hub)
        a.insert('Items', {'Id': 1, 'Title': 'from a', 'Done': False})
        sync(a, server.address, SECRET)
        for whole, expect_row in [('', False), (',"whole":false', False), (',"whole":true', True)]:
            c, _, snode = self.authenticate(server, hub, node=a.node_id)
            c.send(f'IHAZ {{"{snode}":0{whole}}}\nKTHXBAI\n'.encode())
            lines = []
            while not (lines and lines[-1] is not None and lines[-1].startswith(('KTHXBAI', 'OHNOES'))):
                lines.append(c.line())
                if lines[-1] is None:
                    break
            c.close()
            self.assertEqual(any(l and l.startswith('Items/[1]:') for l in lines), expect_row, (whole, lines))
            self.assertIn('UCANHAZ 1', lines)  # the position moves past the row either way

    def test_handshake_timeout(self):
        hub = self.tmp.new('hub')
        server = self.serve(hub, limits=Limits(handshake_timeout=0.3))
        c = RawClient(server.port)
        self.assertTrue(c.line().startswith('OHNOES timeout '))

    def test_idle_timeout(self):
        hub = self.tmp.new('hub')
        server = self.serve(hub, limits=Limits(idle_timeout=0.3))
        c, _, _ = self.authenticate(server, hub)
        self.assertTrue(c.line().startswith('OHNOES timeout '))

    def test_busy(self):
        hub = self.tmp.new('hub')
        server = self.serve(hub, limits=Limits(max_connections=1))
        first = RawClient(server.port)
        time.sleep(0.1)
        second = RawClient(server.port)
        self.assertTrue(second.line().startswith('OHNOES busy '))
        first.close()

    def test_the_client_reads_each_code_as_its_exception(self):
        """A fake server answering the greeting with OHNOES of each code; an unknown code is internal."""
        from liblim.transport import connect
        from liblim.session import Session
        a = self.tmp.new('a')
        listener = socket.create_server(('127.0.0.1', 0))
        port = listener.getsockname()[1]
        import threading
        for code, kind in [('busy', Busy), ('timeout', Timeout), ('no-such-code', Internal), ('closed', Internal)]:
            def fake():
                s, _ = listener.accept()
                s.recv(1000)
                s.sendall(f"OHNOES {code} go away\n".encode())
                s.close()
            t = threading.Thread(target=fake)
            t.start()
            with self.assertRaises(kind):
                Session(connect(f"liblim://127.0.0.1:{port}"), a).run_client(SECRET)
            t.join()
        listener.close()

    def test_a_claim_accepted_from_a_peer_never_recorded_is_its_fence_in_the_next_session(self):
        """The restored phone lost nothing of the hub's feed and what the hub applied of its old feed changed nothing
        there, so under its new id it claims exactly the hub's head, and the hub sends it nothing. The hub records that
        claim as the new id's fence: the next session does not take it for a restore of the hub (section 4)."""
        hub, edge, phone = self.tmp.new('hub'), self.tmp.new('edge'), self.tmp.new('phone')
        server = self.serve(hub)
        edge.insert('Items', {'Id': 1, 'Title': 'from the edge', 'Done': False})
        sync(edge, server.address, SECRET)
        sync(phone, server.address, SECRET)  # the edge's row, from the hub: the phone's feed moves
        phone.close()
        backup = phone.path + '.bak'
        shutil.copy(phone.path, backup)
        phone = self.tmp.new('phone')
        sync(phone, server.address, SECRET)  # hands the hub that position (the row itself left out)
        phone.close()
        for ext in ('-wal', '-shm'):
            if os.path.exists(phone.path + ext):
                os.remove(phone.path + ext)
        shutil.copy(backup, phone.path)
        phone = self.tmp.new('phone')
        hub_node = hub.node_id
        self.assertEqual(sync(phone, server.address, SECRET).restarts, 1)
        self.assertEqual(hub.node_id, hub_node)
        self.assertEqual(sync(phone, server.address, SECRET).restarts, 0)
        self.assertEqual(hub.node_id, hub_node)

    def test_restored_database_takes_a_new_node_id_and_gets_everything_back(self):
        hub, phone = self.tmp.new('hub'), self.tmp.new('phone')
        server = self.serve(hub)
        hub.insert('Items', {'Id': 4, 'Title': 'the phone has applied this', 'Done': False})
        sync(phone, server.address, SECRET)
        old_node = phone.node_id
        phone.close()
        backup = phone.path + '.bak'
        shutil.copy(phone.path, backup)
        phone = self.tmp.new('phone')
        phone.insert('Items', {'Id': 5, 'Title': 'synced, then lost', 'Done': False})
        sync(phone, server.address, SECRET)
        phone.close()
        for ext in ('-wal', '-shm'):
            if os.path.exists(phone.path + ext):
                os.remove(phone.path + ext)
        shutil.copy(backup, phone.path)
        phone = self.tmp.new('phone')
        self.assertIsNone(phone.get('Items', 5))
        phone.insert('Items', {'Id': 6, 'Title': 'after the restore', 'Done': False})
        hub_node = hub.node_id
        r = sync(phone, server.address, SECRET)
        self.assertEqual(r.restarts, 1)  # only the restored side takes a new id (section 4: never recorded -> head)
        self.assertNotEqual(phone.node_id, old_node)
        self.assertEqual(hub.node_id, hub_node)
        self.assertIsNotNone(phone.get('Items', 5))
        self.assertIsNotNone(hub.get('Items', 6))
        self.assertTrue(any(isinstance(x, Restarted) for x in server.results))
        new_node = phone.node_id
        for _ in range(2):  # later sessions, with and without news, rotate nobody
            again = sync(phone, server.address, SECRET)
            self.assertEqual((again.restarts, phone.node_id, hub.node_id), (0, new_node, hub_node))
            hub.insert('Items', {'Id': 7 + _, 'Title': 'hub news', 'Done': False})


if __name__ == '__main__':
    unittest.main()
