namespace Liblim.EfCore;

/// <summary>
/// What a peer may send before it is cut off, and how long it may stay silent. A peer that breaks a limit
/// gets an <c>OHNOES</c> line and is disconnected; memory per connection stays within about
/// <see cref="MaxBatchBytes"/> plus <see cref="MaxLineLength"/>, whatever the peer sends.
/// </summary>
public sealed record LiblimProtocolLimits
{
    /// <summary>The longest line accepted, in bytes (one row state is one line). Default 1 MiB.</summary>
    public int MaxLineLength { get; init; } = 1 << 20;

    /// <summary>The most rows one received batch may hold. Default 10,000.</summary>
    public int MaxRowsPerBatch { get; init; } = 10_000;

    /// <summary>The most bytes one received batch may hold. Default 32 MiB.</summary>
    public long MaxBatchBytes { get; init; } = 32L << 20;

    /// <summary>How long the greeting and authentication may take. Default 10 seconds.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a peer may send nothing while a line is expected. Default 60 seconds. A live session sends an
    /// empty batch every third of this when it has nothing else to send, so an idle live session stays up.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How many rows this side puts in one batch it sends. Default 250: the receiver holds a whole batch before it applies
    /// it, and the sender a page of its feed while it writes it, so larger batches keep more rows alive across garbage
    /// collections (a 100,000-row sync over TCP paused 400 to 610 ms for them with batches of 1,000, 130 to 210 ms with
    /// 250) without making a batch cheaper to apply (docs/benchmarks.md, "Batches of 250 rows").
    /// </summary>
    public int BatchSize { get; init; } = 250;

    /// <summary>
    /// How many rows a live session remembers as known to its peer, so that a row that went over the connection before
    /// (either way) goes again as what changed since rather than whole (docs/protocol.md section 5). Default 256; a
    /// remembered ten-column row takes about 2 KB, so a hub with many live sessions may want fewer (a local update goes
    /// alone anyway when the peer holds the row as it was before it); 0 remembers none.
    /// </summary>
    public int LiveDeltaRows { get; init; } = 256;

    internal void Validate()
    {
        if (MaxLineLength < 1024 || MaxRowsPerBatch < 1 || MaxBatchBytes < MaxLineLength || BatchSize < 1 || LiveDeltaRows < 0
            || HandshakeTimeout <= TimeSpan.Zero || IdleTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("Liblim protocol limits must be positive (LiveDeltaRows may be 0), MaxLineLength at least 1024 bytes and MaxBatchBytes at least MaxLineLength.");
        }
    }
}
