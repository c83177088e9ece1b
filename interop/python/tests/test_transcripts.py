"""The transcripts of docs/protocol.md section 9, replayed: every line parses and is written back byte for byte, and
every proof is the one computed from the secret, the nonces and the node ids of its greeting."""

import os
import re
import unittest

from helpers import SECRET

from liblim import greeting
from liblim.messages import Error, Hello, Proof, Row, format_message, parse_line

DOC = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'docs', 'protocol.md')


def transcripts():
    with open(DOC, encoding='utf-8') as f:
        text = f.read()
    blocks = re.findall(r'### ([^\n]+)\n(?:(?!###).)*?```liblim-transcript\n(.*?)```', text, re.S)
    result = []
    for title, body in blocks:
        lines = []
        for raw in body.splitlines():
            side, _, rest = raw.partition(':')
            assert side in ('C', 'S'), raw
            lines.append((side, rest[1:] if rest.startswith(' ') else rest))
        result.append((title.strip(), lines))
    return result


class Transcripts(unittest.TestCase):
    def test_there_are_six(self):
        self.assertEqual(len(transcripts()), 6)

    def test_every_line_parses_and_is_written_back_identically(self):
        for title, lines in transcripts():
            for side, line in lines:
                with self.subTest(transcript=title, line=line[:60]):
                    message = parse_line(line.encode('utf-8'))
                    self.assertEqual(format_message(message), line)

    def test_proofs_match(self):
        checked = 0
        for title, lines in transcripts():
            hellos = {side: parse_line(l.encode()) for side, l in lines if l.startswith('ØHAI ') and len(l.split()) >= 4}
            proofs = {side: parse_line(l.encode()) for side, l in lines if l.startswith('ØHAI ') and len(l.split()) == 2}
            if not proofs:
                continue
            c, s = hellos['C'], hellos['S']
            args = (c.node, c.nonce, s.node, s.nonce)
            client = greeting.proof(SECRET, 'client', *args)
            if title == 'Wrong secret':
                self.assertNotEqual(proofs['C'].proof, client)
                self.assertTrue(any(l.startswith('OHNOES auth-failed') for _, l in lines))
            else:
                self.assertEqual(proofs['C'].proof, client, title)
                self.assertEqual(proofs['S'].proof, greeting.proof(SECRET, 'server', *args), title)
            checked += 1
        self.assertEqual(checked, 3)

    def test_row_states_of_the_transcripts(self):
        rows = [parse_line(l.encode()) for _, lines in transcripts() for _, l in lines if ':' in l.split(' ')[0]]
        self.assertTrue(all(isinstance(r, Row) for r in rows))
        by_key = {(r.state.table, r.state.key): r.state for r in rows}
        shape = by_key[('Shapes', '["sq:1",3]')]
        self.assertFalse(shape.alive)
        self.assertEqual(shape.columns['Side'].json, '2.5')
        item7 = [r.state for r in rows if r.state.key == '[7]'][0]
        self.assertEqual(item7.columns['Done'].clock.text(), '019ab69c7be00000.015e46ca9ebf4e4791e3ea6186af56cc')

    def test_errors_read_as_their_codes(self):
        codes = [parse_line(l.encode()).code for _, lines in transcripts() for _, l in lines if l.startswith('OHNOES')]
        self.assertEqual(sorted(codes), ['auth-expired', 'auth-failed', 'rejected', 'restarted'])


if __name__ == '__main__':
    unittest.main()
