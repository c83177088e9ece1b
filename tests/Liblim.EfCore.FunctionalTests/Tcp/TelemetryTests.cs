using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Liblim.EfCore.FunctionalTests.Tcp;

[CollectionDefinition(nameof(TelemetryTests), DisableParallelization = true)]
public sealed class TelemetryCollection;

/// <summary>
/// What an OpenTelemetry exporter receives of a sync over real TCP, read with the listeners it uses: the spans of both
/// sides and of the applied batch, and the metrics with their tags. Run alone, so that every measurement is this test's.
/// </summary>
[Collection(nameof(TelemetryTests))]
public sealed class TelemetryTests : IDisposable
{
    private readonly ConcurrentBag<Activity> _spans = [];
    private readonly ConcurrentBag<(string Instrument, long Value, Dictionary<string, object?> Tags)> _measurements = [];
    private readonly ActivityListener _traces;
    private readonly MeterListener _metrics = new();

    public TelemetryTests()
    {
        _traces = new ActivityListener
        {
            ShouldListenTo = source => source.Name == LiblimTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Add,
        };
        ActivitySource.AddActivityListener(_traces);
        _metrics.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == LiblimTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _metrics.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            _measurements.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        _metrics.Start();
    }

    [Fact]
    public async Task A_sync_is_a_span_on_each_side_with_a_span_per_applied_batch_and_tagged_metrics()
    {
        await using var a = await TcpPeer.StartAsync("telemetry-a");
        await using var b = await TcpPeer.StartAsync("telemetry-b");
        await Replicas.InsertAsync(a.Replica, new TodoItem { Id = Guid.NewGuid(), Title = "traced" });

        await a.SyncWithAsync(b);

        var client = Assert.Single(_spans, s => s.OperationName == LiblimTelemetry.SessionSpan && Tag(s, LiblimTelemetry.PeerTag) == b.Server.NodeId.ToString("D"));
        var server = Assert.Single(_spans, s => s.OperationName == LiblimTelemetry.SessionSpan && s.Kind == ActivityKind.Server);
        Assert.Equal(("client", "tcp", ActivityKind.Client, "1", "False"),
            (Tag(client, LiblimTelemetry.RoleTag), Tag(client, LiblimTelemetry.TransportTag), client.Kind, Tag(client, LiblimTelemetry.RowsSentTag), Tag(client, LiblimTelemetry.LiveTag)));
        Assert.Equal(("server", "1", "1"), (Tag(server, LiblimTelemetry.RoleTag), Tag(server, LiblimTelemetry.RowsReceivedTag), Tag(server, LiblimTelemetry.RowsAppliedTag)));
        var apply = Assert.Single(_spans, s => s.OperationName == LiblimTelemetry.ApplySpan && s.ParentSpanId == server.SpanId);
        Assert.Equal("1", Tag(apply, LiblimTelemetry.RowsAppliedTag));
        Assert.Equal(ActivityStatusCode.Unset, client.Status);

        var sent = _measurements.Where(m => m.Instrument == "liblim.sync.rows_sent" && m.Value > 0).ToList();
        Assert.Equal(1, sent.Sum(m => m.Value));
        Assert.All(sent, m => Assert.Equal(("client", "tcp"), ((string?)m.Tags[LiblimTelemetry.RoleTag], (string?)m.Tags[LiblimTelemetry.TransportTag])));
        Assert.Contains(_measurements, m => m.Instrument == "liblim.sync.rows_applied" && m.Value == 1 && (string?)m.Tags[LiblimTelemetry.RoleTag] == "server");
    }

    [Fact]
    public async Task A_failed_session_ends_its_span_with_an_error()
    {
        await using var a = await TcpPeer.StartAsync("telemetry-a");
        await using var b = await TcpPeer.StartAsync("telemetry-b");
        await using (var db = a.Replica.Open())
        {
            await Assert.ThrowsAsync<ProtocolException>(() => db.Liblim().SyncWithAsync(b.Address, "not the secret"));
        }

        var client = Assert.Single(_spans, s => s.OperationName == LiblimTelemetry.SessionSpan && s.Kind == ActivityKind.Client);
        Assert.Equal(ActivityStatusCode.Error, client.Status);
        Assert.Contains("shared secret", client.StatusDescription);
        Assert.Contains(_measurements, m => m.Instrument == "liblim.sync.failures" && (string?)m.Tags[LiblimTelemetry.RoleTag] == "client");
    }

    [Fact]
    public async Task Every_line_a_server_logs_has_a_named_event_id()
    {
        var log = new CapturedLog();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(log).SetMinimumLevel(LogLevel.Debug));
        using var served = new SqliteReplica("logged-server");
        await using var server = await LiblimServer.StartAsync(new ReplicaFactory(served),
            new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Secret = TcpPeer.Secret }, loggers);
        await using var a = await TcpPeer.StartAsync("logging-client");
        await Replicas.InsertAsync(a.Replica, new TodoItem { Id = Guid.NewGuid(), Title = "logged" });

        await using (var db = a.Replica.Open())
        {
            await db.Liblim().SyncWithAsync(new Uri($"liblim://127.0.0.1:{server.Endpoint.Port}"), TcpPeer.Secret);
        }

        // A batch the server cannot apply (text in an integer column): an expected refusal, logged without a stack trace.
        await using (var raw = await RawPeer.ConnectAsync(server))
        {
            await raw.GreetAndHaveAsync(1);
            var ts = raw.Timestamp();
            await raw.SendAsync($"UCANHAZ 1\nItems/[\"{Guid.NewGuid():D}\"]:{{\"t\":\"{ts}\",\"v\":{{\"Title\":\"x\",\"Priority\":\"high\"}},\"a\":[\"{ts}\"]}}\n\n");
            Assert.StartsWith("OHNOES rejected ", await raw.ReadErrorAndCloseAsync());
        }

        var events = log.Events();
        Assert.All(events, e => Assert.True(e.Id > 0 && e.Name is not null, $"an entry without a named event id:\n{log}"));
        Assert.Contains(LiblimLogEvents.ServerListening, events);
        Assert.Contains(LiblimLogEvents.BatchApplied, events);
        Assert.Contains(LiblimLogEvents.Synced, events);
        Assert.Contains(LiblimLogEvents.BatchRefused, events);
        Assert.True(log.Count("", LogLevel.Warning, "   at ") == 0, $"a stack trace at Warning:\n{log}");
    }

    [Fact]
    public async Task The_gauges_give_the_rows_a_sync_service_has_not_sent_its_peers_and_the_rows_held_back()
    {
        var hub = await TcpPeer.StartAsync("gauged-hub");
        await using var edge = await SyncHost.StartAsync("gauged-edge", listen: false, o => o.StatusInterval = TimeSpan.FromMilliseconds(50), hub.Address);
        await Replicas.InsertAsync(edge.Replica, new TodoItem { Id = Guid.NewGuid(), Title = "pushed" });
        await SyncHost.EventuallyAsync(() => Replicas.All(hub.Replica).Count == 1, "the hub has the edge's first row");
        await hub.DisposeAsync();
        await Replicas.InsertAsync(edge.Replica, new TodoItem { Id = Guid.NewGuid(), Title = "waiting for the hub" });
        await Replicas.InsertAsync(edge.Replica, new TodoItem { Id = Guid.NewGuid(), Title = "waiting too" });
        await using var db = edge.Replica.Open();
        var node = (await db.Liblim().GetNodeIdAsync()).ToString("D");

        long Gauge(string name)
        {
            _measurements.Clear();
            _metrics.RecordObservableInstruments();
            return _measurements.Where(m => m.Instrument == name && (string?)m.Tags.GetValueOrDefault(LiblimTelemetry.NodeTag) == node).Select(m => m.Value).DefaultIfEmpty(-1).Last();
        }

        await SyncHost.EventuallyAsync(() => Gauge("liblim.rows.pending") == 2, "the pending gauge says the two rows the hub has not been sent");
        Assert.Equal(0, Gauge("liblim.rows.held_back"));
    }

    public void Dispose()
    {
        _traces.Dispose();
        _metrics.Dispose();
    }

    private static string? Tag(Activity span, string name) => span.GetTagItem(name)?.ToString();
}
