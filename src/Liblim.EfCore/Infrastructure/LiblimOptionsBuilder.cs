using Liblim.EfCore.Infrastructure.Internal;

namespace Liblim.EfCore.Infrastructure;

/// <summary>Configures replication for a context; passed to <c>UseLiblim(o => ...)</c>.</summary>
public sealed class LiblimOptionsBuilder
{
    internal LiblimOptionsBuilder(LiblimOptionsExtension extension) => Extension = extension;

    internal LiblimOptionsExtension Extension { get; private set; }

    /// <summary>
    /// The id of this replica. Without it, the <c>LIBLIM_INSTANCE_ID</c> environment variable is used when it
    /// holds a GUID; otherwise an id is generated once and kept in the database.
    /// </summary>
    public LiblimOptionsBuilder NodeId(Guid nodeId)
    {
        if (nodeId == Guid.Empty)
        {
            throw new ArgumentException("The node id must not be Guid.Empty.", nameof(nodeId));
        }

        Extension = Extension.WithNodeId(nodeId);
        return this;
    }

    /// <summary>
    /// How far ahead of this node's wall clock a remote timestamp may be (default 5 minutes). A batch with a
    /// timestamp further ahead is refused with a <see cref="ClockDriftException"/>, and nothing of it applied.
    /// </summary>
    public LiblimOptionsBuilder MaxClockDrift(TimeSpan maxDrift)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDrift, TimeSpan.Zero);
        Extension = Extension.WithMaxClockDrift(maxDrift);
        return this;
    }

    /// <summary>
    /// How long applying a peer's batches may keep one transaction open (default 1 second). Batches that arrive back to
    /// back are applied in one transaction, committed as soon as the peer has sent nothing further, and at the latest
    /// once this long has passed: longer makes a large sync faster (fewer commits); shorter makes a local SaveChanges
    /// on SQLite, or another hub process on PostgreSQL, wait less for the write lock meanwhile. <see cref="TimeSpan.Zero"/>
    /// commits every batch by itself. Every batch applied whole is kept whatever ends a sync.
    /// </summary>
    public LiblimOptionsBuilder SyncCommitInterval(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        Extension = Extension.WithSyncCommitInterval(interval);
        return this;
    }

    /// <summary>
    /// The page cache, in KiB, a SQLite connection applies a peer's batches with (default 16 MiB; SQLite's own default is
    /// 2 MiB). While a sync applies, a smaller cache of the connection's is raised to this, and cut back to its own size
    /// when the batches are committed; a connection whose cache is larger keeps its own. Larger makes a sync into a large
    /// table faster; 0 leaves the connection's cache as it is, for an app that cannot spare the memory. PostgreSQL has no
    /// such cache per connection, and ignores it.
    /// </summary>
    public LiblimOptionsBuilder SyncCacheSize(int kibibytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(kibibytes);
        Extension = Extension.WithSyncCacheKibibytes(kibibytes);
        return this;
    }

    /// <summary>
    /// How long a peer may go without syncing before this database stops keeping deleted rows for it (default 30 days;
    /// null: keep them until every peer ever seen has synced). A deleted row's tombstones and kept values are collected
    /// once every peer heard from within this time has applied the delete. A peer away longer loses nothing: when it comes
    /// back it rejoins, sending its whole feed once, and rows deleted and collected meanwhile are deleted there too
    /// (docs/semantics.md, "Collecting deleted rows").
    /// </summary>
    public LiblimOptionsBuilder ForgetPeersAfter(TimeSpan? after)
    {
        if (after is { } t)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(t, TimeSpan.Zero);
        }

        Extension = Extension.WithForgetPeersAfter(after);
        return this;
    }

    /// <summary>
    /// How much of the conflict journal this database keeps (default: the latest 10,000 conflicts, however old): at most
    /// <paramref name="count"/> conflicts, the latest, and none decided longer than <paramref name="age"/> ago (null: no
    /// age bound). 0 records none. A merge that decides nothing concurrent writes nothing to the journal
    /// (docs/semantics.md, "Conflicts"; <c>db.Liblim().GetConflictsAsync()</c>).
    /// </summary>
    public LiblimOptionsBuilder KeepConflicts(int count, TimeSpan? age = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (age is { } t)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(t, TimeSpan.Zero);
        }

        Extension = Extension.WithKeepConflicts(count, age);
        return this;
    }

    /// <summary>The wall clock the hybrid logical clock reads (default <see cref="System.TimeProvider.System"/>); for tests.</summary>
    public LiblimOptionsBuilder TimeProvider(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        Extension = Extension.WithTimeProvider(timeProvider);
        return this;
    }
}
