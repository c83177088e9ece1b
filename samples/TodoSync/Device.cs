using System.Net;
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

    /// <summary>This device's server, once started: other devices sync with it over TCP.</summary>
    public LiblimServer? Server { get; private set; }

    /// <summary>Serves this device's database on a free loopback port.</summary>
    public async Task StartServerAsync(string secret)
        => Server = await LiblimServer.StartAsync(new DeviceContexts(this),
            new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Secret = secret });

    /// <summary>Two-way sync with another device's server over TCP; prints what happened in one line.</summary>
    public async Task SyncWithAsync(Device other, string secret)
    {
        await using var mine = Open();
        var address = new Uri($"liblim://127.0.0.1:{other.Server!.Endpoint.Port}");
        var r = await mine.Liblim().SyncWithAsync(address, secret);
        Console.WriteLine(
            $"   {Name} -> {other.Name} ({address}): sent {r.RowsSent} ({other.Name} applied {r.RowsAppliedByPeer}), " +
            $"received {r.RowsReceived} ({Name} applied {r.RowsApplied}); changed on {Name}: {Describe(r.Changed)}");
    }

    public async Task<List<TodoItem>> ReadItemsAsync()
    {
        await using var db = Open();
        var items = await db.Items.AsNoTracking().ToListAsync();
        return [.. items.OrderBy(i => i.Id.ToString())];
    }

    public override string ToString() => Name;

    /// <summary>Contexts on this device's database, for the server (which opens one per operation).</summary>
    private sealed class DeviceContexts(Device device) : IDbContextFactory<TodoDb>
    {
        public TodoDb CreateDbContext() => device.Open();
    }

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
