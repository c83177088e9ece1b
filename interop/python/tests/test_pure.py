"""Unit tests of the pure parts: canonical values, oids, timestamps, row states, merge, greeting, line parsing."""

import os
import random
import struct
import unittest
import uuid

from helpers import ITEMS  # noqa: F401  (puts the package on the path)

from liblim import canonical, greeting, oid
from liblim.errors import BadLine, BadRow, UnknownVerb, Internal, AuthFailed
from liblim.messages import (BatchEnd, BatchStart, Bye, Error, Evict, Have, Hello, Proof, Refusal, Row, encode_line,
                             format_message, parse_line)
from liblim.rowstate import (MalformedState, Register, RowState, decode_state, delta_since, encode_state, merge,
                             quote_name)
from liblim.timestamps import Timestamp, next_ticks, pack
from liblim.values import Column, TYPES
from liblim.errors import ValueRejected

NODE_A = uuid.UUID('af025bd5-ad21-412c-968b-a7ee58795f56')
NODE_S = uuid.UUID('015e46ca-9ebf-4e47-91e3-ea6186af56cc')


class CanonicalNumbers(unittest.TestCase):
    def test_doubles_and_floats_match_what_dotnet_writes(self):
        """Vectors written by .NET 10's double/float.ToString("R") (tests/data/dotnet_numbers.txt)."""
        path = os.path.join(os.path.dirname(__file__), 'data', 'dotnet_numbers.txt')
        count = 0
        with open(path, encoding='utf-8') as f:
            lines = f.read().splitlines()
        for line in lines:
            kind, bits, text = line.split()
            if kind == 'd':
                x = struct.unpack('<d', struct.pack('<q', int(bits)))[0]
                mine = canonical.format_double(x)
            else:
                x = struct.unpack('<f', struct.pack('<i', int(bits)))[0]
                mine = canonical.format_single(x)
            self.assertEqual(mine, '0' if x == 0 else text, f"{kind} {x!r}")
            count += 1
        self.assertGreater(count, 500)

    def test_known_spellings(self):
        for x, text in [(1e21, '1E+21'), (1e-7, '1E-07'), (100.0, '100'), (-0.0, '0'), (1e16, '10000000000000000'),
                        (1e17, '1E+17'), (0.0001, '0.0001'), (1e-5, '1E-05'), (2.5, '2.5'),
                        (float('nan'), '"NaN"'), (float('inf'), '"Infinity"'), (float('-inf'), '"-Infinity"')]:
            self.assertEqual(canonical.format_double(x), text)

    def test_double_column_reads_any_number_of_the_same_meaning(self):
        col = Column('x', 'double')
        for text, want in [('1e2', '100'), ('100.000', '100'), ('-0', '0'), ('"Infinity"', '"Infinity"'), ('1E21', '1E+21')]:
            self.assertEqual(col.canonical(canonical.parse_json(text)), want)
        for bad in ['"NaN"', '"1"', 'true', '1e400']:
            with self.assertRaises(ValueRejected):
                col.canonical(canonical.parse_json(bad))


class CanonicalStrings(unittest.TestCase):
    def test_quote_escapes_only_quote_backslash_controls_and_lone_surrogates(self):
        self.assertEqual(canonical.quote('a"b\\c'), '"a\\"b\\\\c"')
        self.assertEqual(canonical.quote('\n\r\t\b\f\x00\x1f'), '"\\n\\r\\t\\b\\f\\u0000\\u001f"')
        self.assertEqual(canonical.quote('\x7f é \u2028 😀 /'), '"\x7f é \u2028 😀 /"')
        self.assertEqual(canonical.quote('x\ud800y'), '"x\\ud800y"')

    def test_ordinal_order_is_utf16_code_units(self):
        self.assertLess(canonical.ordinal_compare('"\U00010000"', '"\uffff"'), 0)  # D800 < FFFF
        self.assertGreater(canonical.ordinal_compare('"b"', '"a"'), 0)
        self.assertLess(canonical.ordinal_compare('-0', '0'), 0)

    def test_member_names_spelled_as_string_values(self):
        self.assertEqual(quote_name('Title'), '"Title"')
        self.assertEqual(quote_name('a\x01\x7f\u00a0b'), '"a\\u0001\x7f\u00a0b"')
        self.assertEqual(quote_name('😀'), '"😀"')
        self.assertEqual(quote_name("<>&'+é"), '"<>&\'+é"')


class Values(unittest.TestCase):
    def check(self, type_, json_text, canonical_text):
        self.assertEqual(Column('x', type_).canonical(canonical.parse_json(json_text)), canonical_text)

    def test_each_type(self):
        self.check('text', '"a\\u0041"', '"aA"')
        self.check('char', '"x"', '"x"')
        self.check('bool', 'true', 'true')
        self.check('int8', '-128', '-128')
        self.check('uint64', '18446744073709551615', '18446744073709551615')
        self.check('single', '0.1', '0.1')
        self.check('decimal', '"12.50"', '"12.5"')
        self.check('decimal', '"40"', '"40.0"')
        self.check('decimal', '"1e3"', '"1000.0"')
        # .NET's extremes have 29 digits: Python's default context (28) must not round them (found by the interop suite)
        self.check('decimal', '"79228162514264337593543950335"', '"79228162514264337593543950335"')
        self.check('decimal', '"-79228162514264337593543950335.0"', '"-79228162514264337593543950335"')
        self.check('decimal', '"7922816251426433759354395033"', '"7922816251426433759354395033.0"')
        self.check('decimal', '"7922816251426433759354395034"', '"7922816251426433759354395034"')
        self.check('decimal', '"0.0000000000000000000000000001"', '"0.0000000000000000000000000001"')
        self.check('guid', '"AF025BD5-AD21-412C-968B-A7EE58795F56"', '"af025bd5-ad21-412c-968b-a7ee58795f56"')
        self.check('guid', '"af025bd5ad21412c968ba7ee58795f56"', '"af025bd5-ad21-412c-968b-a7ee58795f56"')
        self.check('bytes', '"AAEC"', '"AAEC"')
        self.check('datetime', '"2026-12-06T16:12:00.0000000Z"', '"2026-12-06T16:12:00.0000000Z"')
        self.check('datetimeoffset', '"2026-12-06T16:12:00.0000000+01:00"', '"2026-12-06T16:12:00.0000000+01:00"')
        self.check('date', '"2026-02-28"', '"2026-02-28"')
        self.check('time', '"23:59:59.9999999"', '"23:59:59.9999999"')
        self.check('timespan', '"1:2:3"', '"01:02:03"')
        self.check('timespan', '"1.02:03:04.5"', '"1.02:03:04.5000000"')
        self.check('timespan', '"-00:00:00.0000000"', '"00:00:00"')

    def test_wrong_types_are_rejected(self):
        for type_, text in [('int32', '"1"'), ('int32', '1.0'), ('int32', '2147483648'), ('uint8', '-1'),
                            ('bool', '1'), ('text', '1'), ('text', '"\\ud800"'), ('char', '"ab"'),
                            ('guid', '"nope"'), ('bytes', '"A"'), ('datetime', '"2026-02-30T00:00:00.0000000Z"'),
                            ('date', '"2026-1-1"'), ('decimal', '1.5'), ('int32', 'null')]:
            with self.assertRaises(ValueRejected, msg=f"{type_} {text}"):
                Column('x', type_).canonical(canonical.parse_json(text))
        self.assertEqual(Column('x', 'int32', nullable=True).canonical(None), 'null')

    def test_app_values_round_trip(self):
        import datetime as dt
        from decimal import Decimal
        for type_, value in [('text', 'hé'), ('bool', True), ('int64', -5), ('double', 0.25), ('decimal', Decimal('1.50')),
                             ('guid', NODE_A), ('bytes', b'\x00\xff'), ('date', dt.date(2024, 2, 29))]:
            col = Column('x', type_)
            back = col.decode(col.encode(value))
            self.assertEqual(back, Decimal('1.5') if type_ == 'decimal' else value)
        self.assertEqual(Column('x', 'datetime').encode(dt.datetime(2026, 1, 2, 3, 4, 5, 6)),
                         '"2026-01-02T03:04:05.0000060Z"')
        self.assertEqual(Column('x', 'timespan').encode(dt.timedelta(days=1, seconds=1)), '"1.00:00:01"')

    def test_types_are_named(self):
        self.assertIn('datetimeoffset', TYPES)


class ObjectIds(unittest.TestCase):
    def test_escapes(self):
        self.assertEqual(oid.encode('Shapes', '["sq:1",3]'), 'Shapes/["sq%3A1",3]')
        self.assertEqual(oid.encode('dbo.T', '["a/b c%"]'), 'dbo.T/["a%2Fb%20c%25"]')
        self.assertEqual(oid.encode('T', '["\x7f"]'), 'T/["%7F"]')
        self.assertEqual(oid.decode('Shapes/["sq%3A1",3]'), ('Shapes', '["sq:1",3]'))

    def test_malformed(self):
        for bad in ['Items', 'Items/', '/[1]', 'a/b/c', 'T/["%3a"]', 'T/["%41"]', 'T/["%3"]', 'T/[" "]', 'T/%']:
            with self.assertRaises(ValueError, msg=bad):
                oid.decode(bad)


class Timestamps(unittest.TestCase):
    def test_text_and_order(self):
        t = Timestamp.parse('019ab697e8000000.af025bd5ad21412c968ba7ee58795f56')
        self.assertEqual(t.text(), '019ab697e8000000.af025bd5ad21412c968ba7ee58795f56')
        self.assertEqual(t.node_id, NODE_A)
        a, b = Timestamp.of(5, NODE_S), Timestamp.of(5, NODE_A)
        self.assertLess(a, b)  # same ticks: by node id text
        self.assertEqual(sorted([a, b]), sorted([a, b], key=lambda x: x.text()))
        for bad in ['019AB697E8000000.af025bd5ad21412c968ba7ee58795f56', '019ab697e8000000', 'x', 5,
                    'ffffffffffffffff.af025bd5ad21412c968ba7ee58795f56']:
            with self.assertRaises((ValueError, TypeError)):
                Timestamp.parse(bad)

    def test_short_form(self):
        base = Timestamp.parse('019ab5ff51800000.015e46ca9ebf4e4791e3ea6186af56cc')
        t = Timestamp.parse_in_state('019ab69c7be00000', base)
        self.assertEqual(t.text(), '019ab69c7be00000.015e46ca9ebf4e4791e3ea6186af56cc')
        with self.assertRaises(ValueError):
            Timestamp.parse_in_state('019ab69c7be00000', None)

    def test_clock_never_goes_back(self):
        self.assertEqual(next_ticks(pack(1000), pack(2000)), pack(2000))
        self.assertEqual(next_ticks(pack(3000), pack(2000)), pack(3000) + 1)


def ts(ms, node=NODE_A):
    return Timestamp.of(pack(ms), node)


class RowStates(unittest.TestCase):
    def test_encode_uses_base_clock_short_forms_and_name_order(self):
        s = RowState('T', '[1]', {'b': Register('1', ts(5)), 'a': Register('2', ts(5)), 'c': Register('3', ts(9, NODE_S))},
                     {ts(5)}, {ts(4, NODE_S)})
        text = encode_state(s)
        self.assertEqual(text, '{"t":"%s","v":{"a":2,"b":1,"c":3},"c":{"c":"%s"},"a":["%s"],"d":["%s"]}' % (
            ts(5).text(), ts(9, NODE_S).text(), ts(5).short(), ts(4, NODE_S).text()))
        self.assertTrue(decode_state('T', '[1]', text).same_as(s))

    def test_tie_of_base_clocks_takes_the_first_in_name_order(self):
        s = RowState('T', '[1]', {'b': Register('1', ts(5)), 'a': Register('2', ts(6))}, {ts(5)})
        self.assertTrue(encode_state(s).startswith('{"t":"%s"' % ts(6).text()))

    def test_tags_only_state_has_no_t_and_full_tags(self):
        s = RowState('T', '[1]', {}, set(), {ts(5)})
        self.assertEqual(encode_state(s), '{"d":["%s"]}' % ts(5).text())

    def test_add_tags_that_are_tombstoned_are_dead(self):
        s = RowState('T', '[1]', {}, {ts(5), ts(6)}, {ts(5)})
        self.assertEqual(s.add_tags, {ts(6)})

    def test_malformed_states(self):
        t = ts(5).text()
        for bad in ['[]', '{}', '{"v":{"a":1}}', '{"t":"%s","x":1}' % t, '{"t":"%s","v":{"a":1},"c":{"b":"%s"}}' % (t, t),
                    '{"a":["0000000000000001"]}', '{"t":"%s","t":"%s","a":[]}' % (t, t), '{"t":5,"a":[]}',
                    '{"t":"%s","v":{"a":1,"a":2}}' % t, '{"t":"%s","v":[]}' % t, '{"t":"%s","a":"x"}' % t,
                    '{"t":"%s","v":{"\\ud800":1}}' % t, 'nope', '{"t":"%s","v":{"a":NaN}}' % t,
                    '{"t":"%s","v":{"a":[[[[[[[[[1]]]]]]]]]}}' % t]:
            with self.assertRaises(MalformedState, msg=bad):
                decode_state('T', '[1]', bad)

    def test_reading_full_and_short_forms_gives_the_same_state(self):
        t = ts(5).text()
        a = decode_state('T', '[1]', '{"t":"%s","v":{"a":1},"a":["%s"]}' % (t, ts(5).short()))
        b = decode_state('T', '[1]', '{"v":{"a":1},"a":["%s"],"t":"%s"}' % (t, t))
        self.assertTrue(a.same_as(b))


def random_state(rnd):
    nodes = [NODE_A, NODE_S]
    cols = {}
    for name in rnd.sample(['a', 'b', 'c'], rnd.randint(0, 3)):
        cols[name] = Register(rnd.choice(['1', '2', '"x"', 'null']), ts(rnd.randint(1, 4), rnd.choice(nodes)))
    tags = {ts(rnd.randint(1, 4), rnd.choice(nodes)) for _ in range(rnd.randint(0, 2))}
    dead = {ts(rnd.randint(1, 4), rnd.choice(nodes)) for _ in range(rnd.randint(0, 2))}
    return RowState('T', '[1]', cols, tags, dead)


class MergeLaws(unittest.TestCase):
    def test_idempotent_commutative_associative(self):
        rnd = random.Random(7)
        for _ in range(500):
            a, b, c = random_state(rnd), random_state(rnd), random_state(rnd)
            self.assertTrue(merge(a, a).same_as(a))
            self.assertTrue(merge(a, b).same_as(merge(b, a)))
            self.assertTrue(merge(merge(a, b), c).same_as(merge(a, merge(b, c))))

    def test_equal_clocks_take_the_ordinal_greater_text(self):
        a = RowState('T', '[1]', {'x': Register('"a"', ts(1))})
        b = RowState('T', '[1]', {'x': Register('"b"', ts(1))})
        self.assertEqual(merge(a, b).columns['x'].json, '"b"')
        self.assertEqual(merge(b, a).columns['x'].json, '"b"')

    def test_a_delta_merged_into_a_state_holding_the_sent_one_gives_the_whole(self):
        rnd = random.Random(11)
        for _ in range(500):
            sent, extra, other = random_state(rnd), random_state(rnd), random_state(rnd)
            current = merge(sent, extra)
            d = delta_since(sent, current)
            holder = merge(other, sent)
            whole = merge(holder, current)
            self.assertTrue((holder if d is None else merge(holder, d)).same_as(whole))

    def test_update_concurrent_with_delete_does_not_resurrect(self):
        base = RowState('T', '[1]').insert({'x': '1'}, ts(1))
        deleted = base.delete()
        updated = base.write({'x': '2'}, ts(2, NODE_S))
        m = merge(deleted, updated)
        self.assertFalse(m.alive)
        self.assertEqual(m.columns['x'].json, '2')
        revived = merge(m, deleted.insert({'x': '3'}, ts(3)))
        self.assertTrue(revived.alive)


class Greeting(unittest.TestCase):
    def test_transcript_proofs(self):
        args = (NODE_A, '4f1c9a0e2b7d4c6a8e3f5a1b9c0d2e4f', NODE_S, '9d8c7b6a5f4e3d2c1b0a998877665544')
        self.assertEqual(greeting.proof('correct horse battery staple', 'client', *args), '66f7fb5466db7cca164f23144fc9e463')
        self.assertEqual(greeting.proof('correct horse battery staple', 'server', *args), 'b0ff0e698c7c8a2f0da627aaef4ef424')
        self.assertTrue(greeting.verify('66f7fb5466db7cca164f23144fc9e463', '66f7fb5466db7cca164f23144fc9e463'))
        self.assertFalse(greeting.verify('66f7fb5466db7cca164f23144fc9e463', '00000000000000000000000000000000'))
        self.assertEqual(len(greeting.new_nonce()), 32)


class Lines(unittest.TestCase):
    def parse(self, text):
        return parse_line(text.encode('utf-8') if isinstance(text, str) else text)

    def test_verbs(self):
        self.assertEqual(self.parse('ØHAI 1 %s %s live' % (NODE_A, '4f1c9a0e2b7d4c6a8e3f5a1b9c0d2e4f')),
                         Hello(1, NODE_A, '4f1c9a0e2b7d4c6a8e3f5a1b9c0d2e4f', True))
        self.assertEqual(self.parse('ØHAI 66f7fb5466db7cca164f23144fc9e463'), Proof('66f7fb5466db7cca164f23144fc9e463'))
        self.assertEqual(self.parse('IHAZ {"%s":12}' % NODE_S), Have({NODE_S: 12}))
        self.assertEqual(self.parse('IHAZ {}'), Have({}))
        self.assertEqual(self.parse('UCANHAZ 7'), BatchStart(7))
        self.assertEqual(self.parse(''), BatchEnd())
        self.assertEqual(self.parse('KTHXBAI'), Bye())
        self.assertEqual(self.parse('KTHXBAI {"received":1,"applied":1,"later":"x"}'), Bye(1, 1))
        self.assertEqual(self.parse('KTHXBAI {"applied":3}'), Bye(0, 3))
        self.assertEqual(self.parse('NOMOAR Items/[1]'), Evict('Items', '[1]'))
        self.assertEqual(self.parse('NOPE Items/[1] not yours'), Refusal('Items', '[1]', 'not yours'))
        self.assertEqual(self.parse('NOPE Items/[1]'), Refusal('Items', '[1]', ''))
        self.assertEqual(self.parse('OHNOES rejected no'), Error('rejected', 'no'))
        self.assertIsInstance(Error('what-is-this', 'x').exception(), Internal)
        self.assertIsInstance(Error('auth-failed', 'x').exception(), AuthFailed)

    def test_errors_and_which_wins(self):
        cases = [
            (b'\xff\xfe', BadLine), (b'NOPE \xff', BadLine), (b'\xff:{}', BadLine),  # UTF-8 first
            ('HELLO', UnknownVerb), ('ihaz {}', UnknownVerb), ('OHAI 1', UnknownVerb), (':{}', UnknownVerb),
            ('UCANHAZ', BadLine), ('UCANHAZ -1', BadLine), ('UCANHAZ  7', BadLine), ('UCANHAZ 7 ', BadLine),
            ('UCANHAZ 9223372036854775808', BadLine), ('UCANHAZ +7', BadLine),
            ('IHAZ []', BadLine), ('IHAZ {"x":1}', BadLine), ('IHAZ {"%s":-1}' % NODE_A, BadLine),
            ('IHAZ {"%s":1.0}' % NODE_A, BadLine), ('IHAZ {"%s":1,"%s":2}' % (NODE_A, NODE_A), BadLine),
            ('IHAZ {"%s":1}' % str(NODE_A).upper(), BadLine),
            ('ØHAI 1 %s 00' % NODE_A, BadLine), ('ØHAI 0 %s %s' % (NODE_A, '0' * 32), BadLine),
            ('ØHAI 1 %s %s fast' % (NODE_A, '0' * 32), BadLine), ('ØHAI 1 %s %s live live' % (NODE_A, '0' * 32), BadLine),
            ('ØHAI 66F7FB5466DB7CCA164F23144FC9E463', BadLine), ('ØHAI  1 %s %s' % (NODE_A, '0' * 32), BadLine),
            ('KTHXBAI x', BadLine), ('KTHXBAI {"received":-1}', BadLine), ('OHNOES', BadLine),
            ('Items/[1]:nope', BadRow), ('Items:{}', BadRow), ('Items/[1]:{}', BadRow), ('NOMOAR Items', BadRow),
            ('Items/["a%%3a"]:{"d":["%s"]}' % ts(1).text(), BadRow),
        ]
        for line, error in cases:
            with self.assertRaises(error, msg=repr(line)):
                self.parse(line)

    def test_ihaz_whole_member(self):
        """Section 4: "whole" is true or false, at most once; any other key that is not a node id is bad-line."""
        self.assertEqual(self.parse('IHAZ {"%s":0,"whole":true}' % NODE_S), Have({NODE_S: 0}, True))
        self.assertEqual(self.parse('IHAZ {"whole":false}'), Have({}, False))
        self.assertEqual(self.parse('IHAZ { "whol\\u0065" : true }'), Have({}, True))  # any escaping of a name
        for line in ['IHAZ {"whole":1}', 'IHAZ {"whole":"true"}', 'IHAZ {"whole":null}', 'IHAZ {"whole":{}}',
                     'IHAZ {"whole":true,"whole":true}', 'IHAZ {"whole":false,"whole":true}', 'IHAZ {"Whole":true}',
                     'IHAZ {"head":3}']:
            with self.assertRaises(BadLine, msg=line):
                self.parse(line)
        self.assertEqual(format_message(Have({NODE_S: 0}, True)), 'IHAZ {"%s":0,"whole":true}' % NODE_S)

    def test_kthxbai_ignores_unknown_members_whatever_they_hold(self):
        """Section 7: only received/applied must be non-negative integers; unknown members may hold anything."""
        deep = '{"a":' * 20 + '1' + '}' * 20
        for extra in ['"later":-1', '"later":1.5', '"later":"x"', '"later":null', '"later":[1,[2,{"x":{}}]]',
                      '"later":' + deep, '"x":{"received":-1}']:
            self.assertEqual(self.parse('KTHXBAI {"received":1,%s,"applied":2}' % extra), Bye(1, 2), extra)
        for bad in ['{"received":1.0}', '{"applied":"1"}', '{"applied":-2}', '{"received":null}', '{"applied":1e2}']:
            with self.assertRaises(BadLine, msg=bad):
                self.parse('KTHXBAI ' + bad)

    def test_one_space_after_the_verb_and_json_whitespace(self):
        """Section 1: numbers, node ids, nonces and proofs have no other space around them; JSON arguments may."""
        for line in ['UCANHAZ  7', 'UCANHAZ 7 ', 'ØHAI  66f7fb5466db7cca164f23144fc9e463',
                     'ØHAI 66f7fb5466db7cca164f23144fc9e463 ', 'ØHAI 1  %s %s' % (NODE_A, '0' * 32),
                     'ØHAI 1 %s %s ' % (NODE_A, '0' * 32), 'KTHXBAI  ']:
            with self.assertRaises(BadLine, msg=repr(line)):
                self.parse(line)
        self.assertEqual(self.parse('IHAZ  { "%s" : 3 } ' % NODE_S), Have({NODE_S: 3}))
        self.assertEqual(self.parse('KTHXBAI  {"applied":1} '), Bye(0, 1))

    def test_precedence_row_line_before_verb_before_arguments(self):
        """Section 1: a ':' before any space makes a row line whatever it starts with; the verb before its arguments."""
        for line, error in [('IHAZ{"a":1}', BadRow), ('UCANHAZ:1', BadRow), ('NOPE:x y', BadRow),
                            ('ucanhaz 7', UnknownVerb), ('UCANHAZ x:y', BadLine), ('NOMOAR Items/[1] x', BadRow)]:
            with self.assertRaises(error, msg=line):
                self.parse(line)

    def test_version_2_parses_so_the_session_can_answer_unsupported_version(self):
        self.assertEqual(self.parse('ØHAI 2 %s %s' % (NODE_A, '0' * 32)).version, 2)

    def test_writing(self):
        self.assertEqual(format_message(Bye()), 'KTHXBAI')
        self.assertEqual(format_message(Bye(1, 2)), 'KTHXBAI {"received":1,"applied":2}')
        self.assertEqual(format_message(Error('timeout', 'a\nb')), 'OHNOES timeout a b')
        self.assertEqual(format_message(Have({NODE_S: 3, NODE_A: 4})),
                         'IHAZ {"015e46ca-9ebf-4e47-91e3-ea6186af56cc":3,"af025bd5-ad21-412c-968b-a7ee58795f56":4}')
        self.assertTrue(encode_line(BatchEnd()) == b'\n')


if __name__ == '__main__':
    unittest.main()
