using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Sync;

/// <summary>
/// Replicas apply random inserts, updates and deletes through ordinary EF code and sync in random pairs; at the
/// end all hold identical tables, equal to what a small reference model of the semantics predicts.
/// </summary>
public abstract class RandomConvergenceTests : ReplicaSuite
{
    public sealed class OnSqlite : RandomConvergenceTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class Mixed : RandomConvergenceTests
    {
        protected override DatabaseKind[] Databases => SqliteAndPostgres;
    }

    public sealed class OnPostgres : RandomConvergenceTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task Random_edits_and_random_syncs_converge_to_the_reference_model(int seed)
    {
        var random = new Random(seed);
        var replicas = Enumerable.Range(0, 3).Select(i => NewReplica($"rnd{i}")).ToArray();
        var model = new ReferenceModel(replicas.Length);
        try
        {
            var nodes = new List<Guid>();
            foreach (var r in replicas)
            {
                await using var db = r.Open();
                nodes.Add(await db.Liblim().GetNodeIdAsync());
            }

            for (var step = 0; step < 60; step++)
            {
                var at = random.Next(replicas.Length);
                var replica = replicas[at];
                if (random.Next(5) == 0)
                {
                    var other = (at + 1 + random.Next(replicas.Length - 1)) % replicas.Length;
                    await Replicas.SyncAsync(replica, replicas[other]);
                    model.Sync(at, other);
                    continue;
                }

                await using var db = replica.Open();
                var alive = await db.Items.Select(i => i.Id).OrderBy(i => i).ToListAsync();
                var choice = random.Next(10);
                if (alive.Count == 0 || choice < 3)
                {
                    // Insert a new key, or now and then re-insert a key this replica knows as deleted.
                    var dead = model.KnownDeadKeys(at);
                    var id = dead.Count > 0 && random.Next(3) == 0 ? dead[random.Next(dead.Count)] : Guid.NewGuid();
                    var item = new TodoItem { Id = id, Title = $"t{random.Next(100)}", Priority = random.Next(5), Done = random.Next(2) == 0 };
                    db.Items.Add(item);
                    await db.SaveChangesAsync();
                    model.Insert(at, id, Clock(replica, nodes[at]), item.Title, item.Priority, item.Done);
                }
                else if (choice < 8)
                {
                    var id = alive[random.Next(alive.Count)];
                    var item = await db.Items.SingleAsync(i => i.Id == id);
                    var changes = new Dictionary<string, object>();
                    if (random.Next(2) == 0) { item.Title = $"t{random.Next(100)}"; }
                    if (random.Next(2) == 0) { item.Priority = random.Next(5); }
                    if (random.Next(3) == 0) { item.Done = !item.Done; }
                    var entry = db.Entry(item);
                    foreach (var p in new[] { nameof(TodoItem.Title), nameof(TodoItem.Priority), nameof(TodoItem.Done) })
                    {
                        if (!Equals(entry.Property(p).OriginalValue, entry.Property(p).CurrentValue))
                        {
                            changes[p] = entry.Property(p).CurrentValue!;
                        }
                    }

                    await db.SaveChangesAsync();
                    if (changes.Count > 0)
                    {
                        model.Update(at, id, Clock(replica, nodes[at]), changes);
                    }
                }
                else
                {
                    var id = alive[random.Next(alive.Count)];
                    db.Items.Remove(await db.Items.SingleAsync(i => i.Id == id));
                    await db.SaveChangesAsync();
                    model.Delete(at, id);
                }
            }

            // Final anti-entropy: a ring twice brings everyone the union of all writes.
            for (var round = 0; round < 2; round++)
            {
                for (var i = 0; i < replicas.Length; i++)
                {
                    await Replicas.SyncAsync(replicas[i], replicas[(i + 1) % replicas.Length]);
                }
            }

            var expected = model.Expected();
            foreach (var r in replicas)
            {
                await using var db = r.Open();
                var actual = (await db.Items.AsNoTracking().ToListAsync())
                    .OrderBy(i => i.Id).Select(i => $"{i.Id} {i.Title} {i.Priority} {i.Done}").ToList();
                Assert.Equal(expected, actual);
            }
        }
        finally
        {
            foreach (var r in replicas)
            {
                r.Dispose();
            }
        }
    }

    /// <summary>The timestamp the replica's last local write got: its state row's clock.</summary>
    private static HybridTimestamp Clock(IReplica replica, Guid node) => new(ShadowRows.StateClock(replica), node);

    /// <summary>
    /// The semantics, stated independently of the implementation: every write is an operation; a replica knows
    /// the operations it made or received (a two-way sync leaves both knowing the union); a column shows the
    /// value of the latest write to it; a row is alive while some insert of it is not observed by a delete.
    /// </summary>
    private sealed class ReferenceModel(int replicas)
    {
        private readonly List<Op> _ops = [];
        private readonly HashSet<int>[] _known = [.. Enumerable.Range(0, replicas).Select(_ => new HashSet<int>())];

        private sealed record Op(Guid Key, HybridTimestamp? At, bool IsInsert, bool IsDelete, IReadOnlyDictionary<string, object> Values, IReadOnlySet<HybridTimestamp> Observed);

        public void Insert(int replica, Guid key, HybridTimestamp at, string title, int priority, bool done)
            => Add(replica, new Op(key, at, true, false, new Dictionary<string, object> { ["Title"] = title, ["Priority"] = priority, ["Done"] = done }, new HashSet<HybridTimestamp>()));

        public void Update(int replica, Guid key, HybridTimestamp at, Dictionary<string, object> values)
            => Add(replica, new Op(key, at, false, false, values, new HashSet<HybridTimestamp>()));

        public void Delete(int replica, Guid key)
            => Add(replica, new Op(key, null, false, true, new Dictionary<string, object>(), LiveTags(_known[replica], key)));

        public void Sync(int a, int b)
        {
            _known[a].UnionWith(_known[b]);
            _known[b].UnionWith(_known[a]);
        }

        public List<Guid> KnownDeadKeys(int replica)
            => [.. _known[replica].Select(i => _ops[i].Key).Distinct().Where(k => LiveTags(_known[replica], k).Count == 0).OrderBy(k => k)];

        public List<string> Expected()
        {
            var all = Enumerable.Range(0, _ops.Count).ToHashSet();
            var result = new List<string>();
            foreach (var key in _ops.Select(o => o.Key).Distinct().OrderBy(k => k))
            {
                if (LiveTags(all, key).Count == 0)
                {
                    continue;
                }

                string Latest(string column) => _ops.Where(o => o.Key == key && o.At is not null && o.Values.ContainsKey(column))
                    .MaxBy(o => o.At!.Value)!.Values[column].ToString()!;
                result.Add($"{key} {Latest("Title")} {Latest("Priority")} {Latest("Done")}");
            }

            return result;
        }

        private void Add(int replica, Op op)
        {
            _ops.Add(op);
            _known[replica].Add(_ops.Count - 1);
        }

        private HashSet<HybridTimestamp> LiveTags(IEnumerable<int> known, Guid key)
        {
            var ops = known.Select(i => _ops[i]).Where(o => o.Key == key).ToList();
            var tags = ops.Where(o => o.IsInsert).Select(o => o.At!.Value).ToHashSet();
            tags.ExceptWith(ops.Where(o => o.IsDelete).SelectMany(o => o.Observed));
            return tags;
        }
    }
}
