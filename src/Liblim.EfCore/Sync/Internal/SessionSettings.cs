using Microsoft.Extensions.Logging;

namespace Liblim.EfCore.Sync.Internal;

/// <summary>What a sync session needs besides its connection and database.</summary>
/// <param name="Limits">The protocol's size and time limits.</param>
/// <param name="Remote">The peer, for messages and logs.</param>
/// <param name="Logger">Where the session logs.</param>
/// <param name="PollInterval">How often a live session looks for local changes when no signal came.</param>
/// <param name="Progress">Receives progress reports, if given.</param>
/// <param name="RowsChanged">Called after the peer's changes changed rows here, once they are committed.</param>
/// <param name="Established">Called when a client session's greeting succeeds: both sides have proven the shared secret.</param>
internal sealed record SessionSettings(
    LiblimProtocolLimits Limits,
    string Remote,
    ILogger Logger,
    TimeSpan PollInterval,
    IProgress<SyncProgress>? Progress = null,
    Action<RowsChangedEventArgs>? RowsChanged = null,
    Action? Established = null);
