using Microsoft.Extensions.Logging;

namespace Liblim.EfCore.Sync.Internal;

/// <summary>What a sync session needs besides its connection and database.</summary>
internal sealed record SessionSettings(
    LiblimProtocolLimits Limits,
    string Remote,
    ILogger Logger,
    TimeSpan PollInterval,
    IProgress<SyncProgress>? Progress = null,
    Action<RowsChangedEventArgs>? RowsChanged = null);
