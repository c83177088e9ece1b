namespace Liblim.EfCore.Storage.Internal;

/// <summary>PostgreSQL: the state row is locked with FOR UPDATE, which serializes replicated writes per database.</summary>
internal sealed class PostgresDialect : SqlDialect
{
    public static readonly PostgresDialect Instance = new();

    public override string LockRowClause => " FOR UPDATE";

    public override System.Data.IsolationLevel SnapshotIsolation => System.Data.IsolationLevel.RepeatableRead;

    // PostgreSQL's wire protocol allows 65535 parameters per statement.
    public override int MaxParameters => 30_000;
}
