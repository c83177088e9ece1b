using Liblim.EfCore.FunctionalTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Versions;

/// <summary>
/// Two devices at version 2 and a hub at version 1, migrated at a random step, write and sync at random over TCP; in the
/// end all three hold what a reference model of the writes says: every note and tag nobody deleted, each column with
/// the last value written to it (the writes share one clock, so the last written is the latest), and nothing else.
/// </summary>
public abstract class RandomVersionTests
{
    public sealed class HubOnSqlite : RandomVersionTests
    {
        protected override DatabaseKind Hub => DatabaseKind.Sqlite;
    }

    public sealed class HubOnPostgres : RandomVersionTests
    {
        protected override DatabaseKind Hub => DatabaseKind.Postgres;
    }

    protected abstract DatabaseKind Hub { get; }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Random_writes_syncs_and_a_migration_end_with_every_replica_equal_to_the_reference(int seed)
    {
        var random = new Random(seed);
        var time = new TickingTime();
        using var deviceA = new VersionedReplica(DatabaseKind.Sqlite, "a", 2, time);
        using var deviceB = new VersionedReplica(DatabaseKind.Sqlite, "b", 2, time);
        await using var hub = await VersionedHub.StartAsync(Hub, 1, time);
        var devices = new[] { deviceA, deviceB };
        var expected = new Reference();
        var migrateAt = random.Next(10, 50);
        for (var step = 0; step < 60; step++)
        {
            if (step == migrateAt)
            {
                await hub.MigrateAsync();
            }

            var replica = random.Next(3) switch { 0 => hub.Replica, 1 => deviceA, _ => deviceB };
            if (random.Next(4) == 0 && replica != hub.Replica)
            {
                await hub.SyncAsync(replica);
                continue;
            }

            await WriteAsync(replica, random, expected);
        }

        if (hub.Replica.Version == 1)
        {
            await hub.MigrateAsync();
        }

        foreach (var device in devices.Concat(devices))
        {
            await hub.SyncAsync(device);
        }

        var want = expected.Show();
        Assert.Equal(want, Show(hub.Replica));
        Assert.Equal(want, Show(deviceA));
        Assert.Equal(want, Show(deviceB));
    }

    /// <summary>One random write on a replica, of what its version has, recorded in the reference when it is made.</summary>
    private static async Task WriteAsync(VersionedReplica replica, Random random, Reference expected)
    {
        await using var db = replica.Open();
        var notes = await db.Notes.OrderBy(n => n.Id).ToListAsync();
        var tags = db is NotesV2Db v2 ? await v2.Tags.OrderBy(t => t.Id).ToListAsync() : null;
        var word = $"w{random.Next(1000)}";
        switch (random.Next(tags is null ? 3 : 6))
        {
            case 0 or 1 when notes.Count > 0:
                var note = notes[random.Next(notes.Count)];
                if (tags is not null && random.Next(2) == 0)
                {
                    note.Color = word;
                    expected.Notes[note.Id] = expected.Notes[note.Id] with { Color = word };
                }
                else
                {
                    note.Text = word;
                    expected.Notes[note.Id] = expected.Notes[note.Id] with { Text = word };
                }

                break;
            case 2 when notes.Count > 0 && random.Next(3) == 0:
                var gone = notes[random.Next(notes.Count)];
                db.Notes.Remove(gone);
                expected.Deleted.Add(gone.Id);
                break;
            case 3 when tags!.Count > 0:
                var tag = tags[random.Next(tags.Count)];
                if (random.Next(3) == 0)
                {
                    ((NotesV2Db)db).Tags.Remove(tag);
                    expected.Deleted.Add(tag.Id);
                }
                else
                {
                    tag.Name = word;
                    expected.Tags[tag.Id] = word;
                }

                break;
            case 4:
                var newTag = new Tag { Id = random.NextGuid(), Name = word };
                ((NotesV2Db)db).Tags.Add(newTag);
                expected.Tags[newTag.Id] = word;
                break;
            default:
                var newNote = new Note { Id = random.NextGuid(), Text = word, Color = tags is null ? null : $"c{random.Next(10)}" };
                db.Notes.Add(newNote);
                expected.Notes[newNote.Id] = (newNote.Text, newNote.Color);
                break;
        }

        await db.SaveChangesAsync();
    }

    private static string Show(VersionedReplica replica)
    {
        using var db = replica.OpenV2();
        return Reference.Show(db.Notes.AsNoTracking().ToList().Select(n => (n.Id, n.Text, n.Color)), db.Tags.AsNoTracking().ToList().Select(t => (t.Id, t.Name)));
    }

    private sealed class Reference
    {
        public Dictionary<Guid, (string Text, string? Color)> Notes { get; } = [];

        public Dictionary<Guid, string> Tags { get; } = [];

        public HashSet<Guid> Deleted { get; } = [];

        public string Show()
            => Show(Notes.Where(n => !Deleted.Contains(n.Key)).Select(n => (n.Key, n.Value.Text, n.Value.Color)),
                Tags.Where(t => !Deleted.Contains(t.Key)).Select(t => (t.Key, t.Value)));

        public static string Show(IEnumerable<(Guid Id, string Text, string? Color)> notes, IEnumerable<(Guid Id, string Name)> tags)
            => string.Join("\n", notes.OrderBy(n => n.Id).Select(n => $"note {n.Id} {n.Text} {n.Color}")
                .Concat(tags.OrderBy(t => t.Id).Select(t => $"tag {t.Id} {t.Name}")));
    }
}
