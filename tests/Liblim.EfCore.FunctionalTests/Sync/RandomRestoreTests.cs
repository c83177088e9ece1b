using Liblim.EfCore.FunctionalTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Sync;

/// <summary>
/// Devices write at random, sync with a hub and with each other at random, have their databases backed up at random
/// points, and are put back to a random earlier backup of their own; once everyone has synced, every replica holds what
/// the <see cref="OperationModel"/> predicts: every write some replica still knew, none lost to a restore. Deleted rows
/// are collected as the sessions go; in the runs with weeks away, the shared clock also jumps past
/// <c>ForgetPeersAfter</c> at random, so that replicas are forgotten, collect without each other, and rejoin.
/// </summary>
public abstract class RandomRestoreTests : ReplicaSuite
{
    public sealed class OnSqlite : RandomRestoreTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    /// <summary>The hub on PostgreSQL, the devices on SQLite.</summary>
    public sealed class Mixed : RandomRestoreTests
    {
        protected override DatabaseKind[] Databases => [DatabaseKind.Postgres, DatabaseKind.Sqlite, DatabaseKind.Sqlite, DatabaseKind.Sqlite];
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(4, false)]
    [InlineData(5, false)]
    [InlineData(6, false)]
    [InlineData(7, true)]
    [InlineData(8, true)]
    [InlineData(9, true)]
    [InlineData(10, true)]
    public async Task Random_writes_syncs_backups_and_restores_lose_no_write_any_replica_still_knew(int seed, bool weeksAway)
    {
        var random = new Random(seed);
        var time = new TickingTime();
        var replicas = Enumerable.Range(0, 4).Select(i => NewReplica(i == 0 ? "hub" : $"device{i}", o => o.TimeProvider(time))).ToArray();
        var model = new OperationModel(replicas.Length);
        var backups = replicas.Select(_ => new List<(Backup Copy, IReadOnlySet<int> Known)>()).ToArray();
        var restores = 0;
        try
        {
            for (var step = 0; step < 120; step++)
            {
                var at = random.Next(replicas.Length);
                var replica = replicas[at];
                switch (random.Next(12))
                {
                    case 0 or 1:
                        // A device syncs with the hub, or with another device.
                        var other = at > 0 && random.Next(3) > 0 ? 0 : 1 + random.Next(replicas.Length - 1);
                        if (other == at)
                        {
                            other = 0;
                        }

                        await Replicas.SyncAsync(replica, replicas[other]);
                        model.Sync(at, other);
                        break;
                    case 2 when at > 0:
                        backups[at].Add((Backup.Of(replica), model.Backup(at)));
                        break;
                    case 4 when weeksAway:
                        time.Advance(TimeSpan.FromDays(31)); // whoever does not sync in the next steps is forgotten
                        break;
                    case 3 when at > 0 && backups[at].Count > 0:
                        var (copy, known) = backups[at][random.Next(backups[at].Count)];
                        copy.Restore();
                        model.Restore(at, known);
                        restores++;
                        break;
                    default:
                        await ModelledEdits.EditAsync(replica, await NodeIdAsync(replica), at, model, random);
                        break;
                }
            }

            // Every device with the hub, twice: everyone ends up with the union of what anyone still knows.
            for (var round = 0; round < 2; round++)
            {
                for (var i = 1; i < replicas.Length; i++)
                {
                    await Replicas.SyncAsync(replicas[i], replicas[0]);
                    model.Sync(i, 0);
                }
            }

            Assert.True(restores > 0, "the run restored a database");
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
            foreach (var backup in backups.SelectMany(b => b))
            {
                backup.Copy.Dispose();
            }

            foreach (var r in replicas)
            {
                r.Dispose();
            }
        }
    }

    private static async Task<Guid> NodeIdAsync(IReplica replica)
    {
        await using var db = replica.Open();
        return await db.Liblim().GetNodeIdAsync();
    }
}
