using System.Text;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// Applying peers' batches in several transactions at once (PostgreSQL): what lets them run side by side, and what keeps
/// every other write apart from them. Writers pass a gate, an advisory transaction lock of the database: a transaction
/// that applies concurrently holds it shared, and every write that locks the state row (captures, writes to held rows,
/// collections, batches that may not run concurrently) holds it exclusively first. So concurrent appliers meet only each
/// other, and each locks the rows it reads (<see cref="StoreSession.ConcurrentApply"/>): a row two of them merge is merged
/// by one after the other, and a key both insert fails one insert, whose batch is applied again.
/// </summary>
internal sealed partial class ShadowStore
{
    private const int GateKey = 1;
    private const int NodeNumberingKey = 2;

    /// <summary>
    /// Makes the current transaction one that applies batches concurrently with others: holds the gate shared, and has
    /// the session lock the rows it reads. Only where positions are drawn (PostgreSQL), in a transaction of Liblim's.
    /// </summary>
    public async Task EnterConcurrentApplyAsync(bool async, CancellationToken ct)
    {
        using var command = session.CreateCommand("SELECT pg_advisory_xact_lock_shared(@class, @key)");
        StoreSession.AddParameter(command, "@class", LockClass());
        StoreSession.AddParameter(command, "@key", GateKey);
        await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
        session.ConcurrentApply = true;
    }

    /// <summary>The statement that takes the gate exclusively, before the state row's lock; empty where there is no gate.</summary>
    private string GateSql(System.Data.Common.DbCommand command)
    {
        if (session.Model.Shadow.FeedSequence is null)
        {
            return "";
        }

        StoreSession.AddParameter(command, "@gateClass", LockClass());
        StoreSession.AddParameter(command, "@gateKey", GateKey);
        return "SELECT pg_advisory_xact_lock(@gateClass, @gateKey);";
    }

    /// <summary>
    /// In a concurrent apply, waits until no other such transaction numbers nodes, and holds that until it ends (its group
    /// commits after the batch): numbers are given as the greatest so far plus one, which two transactions at once would
    /// give twice.
    /// </summary>
    private async Task LockNodeNumberingAsync(bool async, CancellationToken ct)
    {
        if (!session.ConcurrentApply)
        {
            return;
        }

        using var command = session.CreateCommand("SELECT pg_advisory_xact_lock(@class, @key)");
        StoreSession.AddParameter(command, "@class", LockClass());
        StoreSession.AddParameter(command, "@key", NodeNumberingKey);
        await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
        session.NumberedNodes = true; // the group commits after this batch, to let the others number theirs
    }

    /// <summary>The end of a read of rows to merge: in a concurrent apply, locks them, in the order of <paramref name="orderBy"/>.</summary>
    public string LockRowsRead(string orderBy) => session.ConcurrentApply ? $" ORDER BY {orderBy} FOR UPDATE" : "";

    /// <summary>The first key of the database's Liblim advisory locks of two keys: 0x4C4C and 16 bits of <see cref="LockNameHash"/>.</summary>
    private int LockClass() => 0x4C4C0000 | (int)(LockNameHash() & 0xFFFF);

    /// <summary>
    /// A hash (FNV-1a) of the state table's quoted name, which the keys of Liblim's advisory locks carry: the models of two
    /// schemas of one database lock apart.
    /// </summary>
    private uint LockNameHash()
    {
        if (_lockNameHash is { } known)
        {
            return known;
        }

        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(session.Table(session.Model.Shadow.StateTable)))
        {
            hash = (hash ^ b) * 16777619u;
        }

        _lockNameHash = hash;
        return hash;
    }

    private uint? _lockNameHash; // computed once per context: every lock and draw of a write carries it
}
