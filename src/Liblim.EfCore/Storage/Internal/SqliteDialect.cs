namespace Liblim.EfCore.Storage.Internal;

/// <summary>SQLite: a write transaction holds the database's write lock from BEGIN IMMEDIATE, so no row lock is needed.</summary>
internal sealed class SqliteDialect : SqlDialect
{
    public static readonly SqliteDialect Instance = new();

    public override string LockRowClause => "";

    // Microsoft.Data.Sqlite begins a deferred transaction for ReadUncommitted: a read snapshot that takes no
    // write lock (read_uncommitted itself only matters with a shared cache, which EF does not use).
    public override System.Data.IsolationLevel SnapshotIsolation => System.Data.IsolationLevel.ReadUncommitted;

    // SQLite's default limit is 32766 host parameters; stay well below.
    public override int MaxParameters => 10_000;
}
