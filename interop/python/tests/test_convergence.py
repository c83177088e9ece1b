"""Three Python replicas write at random and sync in random pairs over loopback; afterwards every replica shows what
an independent reference model of the writes predicts (per-column last writer wins, observed-remove set of rows)."""

import random
import shutil
import unittest

from helpers import SECRET, TempReplicas

from liblim import Server, sync


class Reference:
    """Keeps every write and derives the rows from them alone, without the package's merge."""

    def __init__(self):
        self.registers = {}   # (key, column) -> [(clock, text)]
        self.tags = {}        # key -> set of add tags
        self.observed = {}    # key -> set of tombstoned tags

    def record(self, before, after):
        key = after.key
        for name, reg in after.columns.items():
            if before is None or before.columns.get(name) != reg:
                self.registers.setdefault((key, name), []).append((reg.clock, reg.json))
        new_tags = after.add_tags - (before.add_tags if before else set())
        self.tags.setdefault(key, set()).update(new_tags)
        if before is not None and not after.alive and before.alive:
            self.observed.setdefault(key, set()).update(before.add_tags)

    def rows(self):
        out = {}
        for key, tags in self.tags.items():
            if tags - self.observed.get(key, set()):
                cols = {name: max(writes)[1] for (k, name), writes in self.registers.items() if k == key}
                out[key] = cols
        return out


class Convergence(unittest.TestCase):
    def run_seed(self, seed, steps=60):
        rnd = random.Random(seed)
        tmp = TempReplicas()
        replicas = [tmp.new(f"r{i}") for i in range(3)]
        servers = [Server(r, SECRET).start() for r in replicas]
        ref = Reference()
        try:
            for _ in range(steps):
                i = rnd.randrange(3)
                r = replicas[i]
                if rnd.random() < 0.3:
                    j = rnd.choice([x for x in range(3) if x != i])
                    sync(r, servers[j].address, SECRET)
                    continue
                key = rnd.randint(1, 4)
                key_text = f"[{key}]"
                before = r.state('Items', key_text)
                if before is None or not before.alive:
                    r.insert('Items', {'Id': key, 'Title': f"t{rnd.randint(0, 9)}", 'Done': rnd.random() < 0.5})
                elif rnd.random() < 0.3:
                    r.delete('Items', key)
                else:
                    r.update('Items', key, {rnd.choice(['Title', 'Notes']): f"v{rnd.randint(0, 9)}",
                                            'Done': rnd.random() < 0.5})
                after = r.state('Items', key_text)
                if before is None or not after.same_as(before):
                    ref.record(before, after)
            for _ in range(2):
                for r in replicas[1:]:
                    sync(r, servers[0].address, SECRET)
            expected = ref.rows()
            for r in replicas:
                shown = {f"[{row['Id']}]": row for row in r.rows('Items')}
                self.assertEqual(sorted(shown), sorted(expected), f"seed {seed}")
                for key, cols in expected.items():
                    state = r.state('Items', key)
                    self.assertEqual({n: reg.json for n, reg in state.columns.items()}, cols, f"seed {seed} {key}")
            self.assertEqual(replicas[0].all_states(), replicas[1].all_states())
            self.assertEqual(replicas[0].all_states(), replicas[2].all_states())
        finally:
            for s in servers:
                s.stop()
            tmp.close()
            shutil.rmtree(tmp.folder, ignore_errors=True)

    def test_random_writes_and_syncs_converge_to_the_reference(self):
        for seed in range(4):
            self.run_seed(seed)


if __name__ == '__main__':
    unittest.main()
