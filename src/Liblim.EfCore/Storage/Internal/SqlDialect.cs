namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// What differs in Liblim's SQL between databases, in one small class per database. Everything else
/// (ON CONFLICT upserts, quoting through EF's SQL generation helper, named parameters) is common.
/// </summary>
internal abstract class SqlDialect
{
    /// <summary>Appended to the SELECT of the state row to lock it until the transaction ends.</summary>
    public abstract string LockRowClause { get; }

    /// <summary>The isolation level of a read-only snapshot.</summary>
    public abstract System.Data.IsolationLevel SnapshotIsolation { get; }

    /// <summary>The most parameters one command may carry.</summary>
    public abstract int MaxParameters { get; }

    /// <summary>The dialect of an EF provider.</summary>
    /// <exception cref="LiblimException">The provider is not supported.</exception>
    public static SqlDialect For(string? providerName) => providerName switch
    {
        "Microsoft.EntityFrameworkCore.Sqlite" => SqliteDialect.Instance,
        "Npgsql.EntityFrameworkCore.PostgreSQL" => PostgresDialect.Instance,
        _ => throw new LiblimException($"Liblim supports SQLite (UseSqlite) and PostgreSQL (UseNpgsql); this context uses '{providerName}'."),
    };
}
