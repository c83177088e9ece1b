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
        var model = new OperationModel(replicas.Length);
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

                await ModelledEdits.EditAsync(replica, nodes[at], at, model, random);
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
}
