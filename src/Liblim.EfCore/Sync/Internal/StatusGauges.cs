using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Liblim.EfCore.Sync.Internal;

/// <summary>
/// The gauges of pending and held-back rows: the latest status of each database a sync service of this process keeps in
/// sync, read by the service every <see cref="LiblimSyncOptions.StatusInterval"/> (a gauge's callback must not touch
/// a database), by database node id.
/// </summary>
internal static class StatusGauges
{
    private static readonly ConcurrentDictionary<object, LiblimStatus> Latest = new();

    /// <summary>Publishes the latest status a service read.</summary>
    public static void Publish(object service, LiblimStatus status)
    {
        _ = LiblimMetrics.HeldBack; // the gauges exist once the metrics do
        Latest[service] = status;
    }

    /// <summary>Stops publishing a service's status (it stopped).</summary>
    public static void Withdraw(object service) => Latest.TryRemove(service, out _);

    /// <summary>The rows held back, per database.</summary>
    public static IEnumerable<Measurement<long>> HeldBack()
        => Latest.Values.Select(s => new Measurement<long>(s.HeldBack, new KeyValuePair<string, object?>(LiblimTelemetry.NodeTag, s.NodeId.ToString("D"))));

    /// <summary>The rows changed here that known peers have not been sent, summed over the peers, per database.</summary>
    public static IEnumerable<Measurement<long>> Pending()
        => Latest.Values.Select(s => new Measurement<long>(s.Peers.Sum(p => p.Pending), new KeyValuePair<string, object?>(LiblimTelemetry.NodeTag, s.NodeId.ToString("D"))));
}
