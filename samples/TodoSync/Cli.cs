using System.Net;
using Liblim.EfCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TodoSync;

/// <summary>
/// The commands for running real devices, one process each: edit the list of one SQLite file, serve it to
/// peers, sync with a peer once, or stay connected and watch remote changes arrive.
/// </summary>
public static class Cli
{
    public static async Task<int> RunAsync(string command, string database, string secret, IReadOnlyList<string> rest)
    {
        await using (var db = Open(database))
        {
            await db.Database.EnsureCreatedAsync();
        }

        switch (command)
        {
            case "add":
                return await EditAsync(database, async db =>
                {
                    var item = new TodoItem { Id = Guid.NewGuid(), Title = string.Join(' ', rest) };
                    db.Items.Add(item);
                    await db.SaveChangesAsync();
                    Console.WriteLine($"added {Short(item.Id)} {item.Title}");
                });
            case "edit" when rest.Count >= 2:
                return await OnItemAsync(database, rest[0], item => item.Title = string.Join(' ', rest.Skip(1)));
            case "note" when rest.Count >= 2:
                return await OnItemAsync(database, rest[0], item => item.Notes = string.Join(' ', rest.Skip(1)));
            case "done" when rest.Count == 1:
                return await OnItemAsync(database, rest[0], item => item.Done = true);
            case "delete" when rest.Count == 1:
                return await EditAsync(database, async db =>
                {
                    var item = await FindAsync(db, rest[0]);
                    db.Items.Remove(item);
                    await db.SaveChangesAsync();
                    Console.WriteLine($"deleted {Short(item.Id)}");
                });
            case "list":
                await PrintAsync(database);
                return 0;
            case "sync" when rest.Count == 1:
            {
                await using var db = Open(database);
                var r = await db.Liblim().SyncWithAsync(new Uri(rest[0]), secret);
                Console.WriteLine($"synced with {r.Peer}: sent {r.RowsSent}, received {r.RowsReceived}, changed here {r.RowsApplied}");
                await PrintAsync(database);
                return 0;
            }

            case "serve":
                return await RunHostAsync(database, secret, port: rest.Count > 0 ? int.Parse(rest[0], System.Globalization.CultureInfo.InvariantCulture) : LiblimPeerAddress.DefaultPort, peer: null);
            case "live" when rest.Count == 1:
                return await RunHostAsync(database, secret, port: null, peer: new Uri(rest[0]));
            default:
                return -1;
        }
    }

    /// <summary>Runs the sync service until Ctrl+C, printing each remote change as it arrives.</summary>
    private static async Task<int> RunHostAsync(string database, string secret, int? port, Uri? peer)
    {
        var services = new ServiceCollection();
        services.AddDbContextFactory<TodoDb>(o => o.UseSqlite($"Data Source={database}").UseLiblim());
        services.AddLiblimSync<TodoDb>(o =>
        {
            o.Secret = secret;
            o.Listen = port is { } p ? new IPEndPoint(IPAddress.Any, p) : null;
            if (peer is not null)
            {
                o.Peers.Add(peer);
            }
        });
        await using var provider = services.BuildServiceProvider();
        var sync = provider.GetRequiredService<LiblimSyncService<TodoDb>>();
        sync.RowsChanged += (_, e) =>
        {
            foreach (var row in e.Rows)
            {
                Console.WriteLine($"{DateTime.Now:HH:mm:ss.fff} from {e.Peer.ToString()[..8]}: {row.Key} {row.Change}");
            }

            _ = PrintAsync(database);
        };

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(stop.Token);
        }

        Console.WriteLine(port is not null
            ? $"serving {database} on liblim://0.0.0.0:{sync.Server!.Endpoint.Port}; Ctrl+C to stop"
            : $"live with {peer}: changes saved on either side appear on the other; Ctrl+C to stop");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StopAsync(CancellationToken.None);
        }

        return 0;
    }

    private static TodoDb Open(string database)
        => new(new DbContextOptionsBuilder<TodoDb>().UseSqlite($"Data Source={database}").UseLiblim().Options);

    private static async Task<int> EditAsync(string database, Func<TodoDb, Task> edit)
    {
        await using var db = Open(database);
        try
        {
            await edit(db);
            return 0;
        }
        catch (KeyNotFoundException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }

    private static Task<int> OnItemAsync(string database, string idPrefix, Action<TodoItem> change)
        => EditAsync(database, async db =>
        {
            var item = await FindAsync(db, idPrefix);
            change(item);
            await db.SaveChangesAsync();
            Console.WriteLine($"updated {Short(item.Id)}");
        });

    private static async Task<TodoItem> FindAsync(TodoDb db, string idPrefix)
    {
        var matches = (await db.Items.ToListAsync()).Where(i => i.Id.ToString().StartsWith(idPrefix, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count == 1
            ? matches[0]
            : throw new KeyNotFoundException(matches.Count == 0 ? $"No item's id starts with '{idPrefix}'." : $"Several items' ids start with '{idPrefix}'; give more of it.");
    }

    private static async Task PrintAsync(string database)
    {
        await using var db = Open(database);
        foreach (var item in (await db.Items.AsNoTracking().ToListAsync()).OrderBy(i => i.Title, StringComparer.Ordinal))
        {
            Console.WriteLine($"  {Short(item.Id)}  [{(item.Done ? 'x' : ' ')}] {item.Title}{(item.Notes is null ? "" : $"  ({item.Notes})")}");
        }
    }

    private static string Short(Guid id) => id.ToString()[..8];
}
