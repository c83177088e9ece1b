namespace Liblim.EfCore.Storage.Internal;

/// <summary>The state row as read under lock: the node id, the last sequence number and the clock.</summary>
internal sealed record ReplicaClock(Guid NodeId, long Seq, long Clock);
