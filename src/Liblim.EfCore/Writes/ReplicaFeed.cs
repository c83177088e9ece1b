using System.Collections.Concurrent;

namespace Liblim.EfCore.Writes;

/// <summary>
/// The event a replicated write raises once it has committed a change: the database's feed moved. Live sync sessions
/// wait for it, so that a change leaves at once rather than at their next poll (they poll too, for changes of other
/// processes). One per EF service provider, which the contexts of one configuration share, by node id.
/// </summary>
internal sealed class ReplicaFeed
{
    private readonly ConcurrentDictionary<Guid, Move> _byNode = new();

    /// <summary>Completes at the database's next feed move after it was asked for.</summary>
    public Task NextMove(Guid node) => Volatile.Read(ref _byNode.GetOrAdd(node, _ => new Move()).Next).Task;

    /// <summary>Tells whoever waits for the database's feed that it moved.</summary>
    public void Moved(Guid node)
    {
        if (_byNode.TryGetValue(node, out var move))
        {
            Interlocked.Exchange(ref move.Next, Move.NewSource()).TrySetResult();
        }
    }

    private sealed class Move
    {
        public TaskCompletionSource Next = NewSource();

        public static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
