using System.Collections.Concurrent;

namespace Liblim.EfCore.Sync.Internal;

/// <summary>
/// Tells the live sessions serving a database, in this process, that its change feed moved: a SaveChanges
/// or a merge committed. Sessions also poll, for changes committed by other processes.
/// </summary>
internal sealed class FeedSignal
{
    private static readonly ConcurrentDictionary<Guid, FeedSignal> ByNode = new();

    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next change after it was read.</summary>
    public Task NextChange => Volatile.Read(ref _next).Task;

    /// <summary>The signal of the database with this node id.</summary>
    public static FeedSignal For(Guid node) => ByNode.GetOrAdd(node, _ => new FeedSignal());

    /// <summary>Wakes whoever waits on the signal of that database, if anyone does.</summary>
    public static void Notify(Guid node)
    {
        if (ByNode.TryGetValue(node, out var signal))
        {
            Interlocked.Exchange(ref signal._next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }
}
