using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Liblim.EfCore.Benchmarks.Infrastructure;

/// <summary>
/// What a stretch of the process allocated, by type, from the runtime's allocation samples (one event about every
/// 100 KB, naming the type of the object that crossed it): proportions to look at, not exact counts.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);

    /// <summary>The types that took the most, with their sampled bytes, most first.</summary>
    public IEnumerable<(string Type, long Bytes)> Top(int count)
        => _bytes.OrderByDescending(p => p.Value).Take(count).Select(p => (p.Key, p.Value));

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == RuntimeSource)
        {
            EnableEvents(source, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || e.PayloadNames is not { } names || e.Payload is not { } payload)
        {
            return;
        }

        var type = payload[names.IndexOf("TypeName")]?.ToString() ?? "?";
        var bytes = Convert.ToInt64(payload[names.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
        _bytes.AddOrUpdate(type, bytes, (_, total) => total + bytes);
    }
}
