namespace Liblim.EfCore.Merge.Internal;

/// <summary>
/// A batch applied concurrently with other transactions met a state that only a write holding the state row's lock may
/// store: a key new here whose merged state is not shown (a delete, or a row held back). A concurrent transaction could be
/// inserting the same key's data row, and nothing in the database would stop the two. Or a scoped peer's batch met what
/// only such a write may do or know: a write refused (answered with a correction, which stamps this node's clock), or a
/// failed write, after which what the write check judged may no longer hold. The group undoes the batch, commits what it
/// applied before, and applies the batch again under the lock.
/// </summary>
internal sealed class ConcurrentApplyRefusedException() : Exception("The batch needs the state row's lock.");
