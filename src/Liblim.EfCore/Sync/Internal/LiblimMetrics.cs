using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Liblim.EfCore.Sync.Internal;

/// <summary>
/// Sync metrics, on the meter named <c>Liblim.EfCore</c>: rows sent, received and applied, bytes both ways,
/// sync duration and open sessions, each tagged with the session's role and transport; and the source of its spans
/// (<see cref="LiblimTelemetry"/>).
/// </summary>
internal static class LiblimMetrics
{
    private static readonly Meter Meter = new(LiblimTelemetry.Name);

    /// <summary>The source of Liblim's spans (<see cref="LiblimTelemetry"/>).</summary>
    public static readonly ActivitySource Source = new(LiblimTelemetry.Name);

    public static readonly Counter<long> RowsSent = Meter.CreateCounter<long>("liblim.sync.rows_sent", "{row}", "Row states sent to peers.");
    public static readonly Counter<long> RowsReceived = Meter.CreateCounter<long>("liblim.sync.rows_received", "{row}", "Row states received from peers.");
    public static readonly Counter<long> RowsApplied = Meter.CreateCounter<long>("liblim.sync.rows_applied", "{row}", "Received row states that changed a row.");
    public static readonly Counter<long> BytesSent = Meter.CreateCounter<long>("liblim.sync.bytes_sent", "By", "Protocol bytes sent.");
    public static readonly Counter<long> BytesReceived = Meter.CreateCounter<long>("liblim.sync.bytes_received", "By", "Protocol bytes received.");
    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("liblim.sync.duration", "s", "Duration of sync sessions.");
    public static readonly UpDownCounter<long> Sessions = Meter.CreateUpDownCounter<long>("liblim.sync.sessions", "{session}", "Open sync sessions.");
    public static readonly Counter<long> Failures = Meter.CreateCounter<long>("liblim.sync.failures", "{session}", "Sync sessions that ended with an error.");
    public static readonly ObservableGauge<long> HeldBack = Meter.CreateObservableGauge("liblim.rows.held_back", StatusGauges.HeldBack, "{row}", "Rows held back, per database a sync service keeps in sync.");
    public static readonly ObservableGauge<long> Pending = Meter.CreateObservableGauge("liblim.rows.pending", StatusGauges.Pending, "{row}", "Rows changed here that known peers have not been sent, summed over the peers, per database a sync service keeps in sync.");
}
