using Liblim.EfCore;
using Microsoft.EntityFrameworkCore;

namespace TodoSync;

/// <summary>One device: its own SQLite file and its own fixed replication node id.</summary>
public sealed class Device(string name, Guid nodeId, string folder)
{
    public string Name { get; } = name;

    public Guid NodeId { get; } = nodeId;

    public string DatabasePath { get; } = Path.Combine(folder, $"{name}.db");

    public TodoDb Open()
    {
        var options = new DbContextOptionsBuilder<TodoDb>()
            .UseSqlite($"Data Source={DatabasePath}")
            .UseLiblim(o => o.NodeId(NodeId))
            .Options;
        return new TodoDb(options);
    }

    public async Task CreateDatabaseAsync()
    {
        await using var db = Open();
        await db.Database.EnsureCreatedAsync();
    }

    /// <summary>Two-way sync with another device; prints what happened in one line.</summary>
    public async Task SyncWithAsync(Device other)
    {
        await using var mine = Open();
        await using var theirs = other.Open();
        var r = await mine.Liblim().SyncWithAsync(theirs);
        Console.WriteLine(
            $"   {Name} <-> {other.Name}: sent {r.RowsSent} ({other.Name} applied {r.RowsAppliedByPeer}), " +
            $"received {r.RowsReceived} ({Name} applied {r.RowsApplied}); changed on {Name}: {Describe(r.Changed)}");
    }

    public async Task<List<TodoItem>> ReadItemsAsync()
    {
        await using var db = Open();
        var items = await db.Items.AsNoTracking().ToListAsync();
        return [.. items.OrderBy(i => i.Id.ToString())];
    }

    public override string ToString() => Name;

    private static string Describe(IReadOnlyList<ChangedRow> changed)
        => changed.Count == 0
            ? "nothing"
            : string.Join(", ", changed.Select(c => $"{DemoScene.LabelOf(c.Key)} {Describe(c.Change)}"));

    private static string Describe(RowChange change) => change switch
    {
        RowChange.Inserted => "inserted",
        RowChange.Updated => "updated",
        RowChange.Deleted => "deleted",
        _ => "stays deleted", // its replication state changed (e.g. a concurrent edit arrived), but it remains deleted
    };
}
