using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>
/// A device and a hub, each a TCP peer, the device syncing one-shot with the hub through a proxy that keeps the lines
/// that cross, and what those lines say of one row of <c>Items</c>.
/// </summary>
public sealed class WatchedPair : IAsyncDisposable
{
    private WatchedPair(TcpPeer device, TcpPeer hub)
    {
        Device = device;
        Hub = hub;
        Proxy = new CuttingProxy(hub.Server.Endpoint);
    }

    public TcpPeer Device { get; }

    public TcpPeer Hub { get; }

    public CuttingProxy Proxy { get; }

    public static async Task<WatchedPair> StartAsync(string name)
        => new(await TcpPeer.StartAsync($"{name}-device"), await TcpPeer.StartAsync($"{name}-hub"));

    /// <summary>A one-shot sync of the device with the hub, through the proxy.</summary>
    public async Task SyncAsync()
    {
        await using var db = Device.Replica.Open();
        await db.Liblim().SyncWithAsync(Proxy.Address, TcpPeer.Secret);
    }

    /// <summary>The states of the row with this id among lines, in the order they crossed.</summary>
    public static List<JsonElement> RowStates(IEnumerable<string> lines, Guid id)
        => [.. lines.Where(l => l.StartsWith($"Items/[\"{id}\"]:", StringComparison.OrdinalIgnoreCase))
            .Select(l => JsonDocument.Parse(l[(l.IndexOf(':') + 1)..]).RootElement)];

    /// <summary>The names of the columns a state carries a value of, in ordinal order.</summary>
    public static string[] Values(JsonElement state)
        => state.TryGetProperty("v", out var values) ? [.. values.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)] : [];

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Device.DisposeAsync();
        await Hub.DisposeAsync();
    }
}
