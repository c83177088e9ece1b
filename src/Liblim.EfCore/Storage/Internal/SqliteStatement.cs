using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// One SQL statement prepared on a SQLite connection's own handle and executed once per row with its parameters bound
/// by position: what SQLite itself needs per row, without a command object, a reader and a lookup of every parameter
/// by name per execution. It runs in the connection's current transaction.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    private SqliteStatement(sqlite3 db, sqlite3_stmt statement)
    {
        _db = db;
        _statement = statement;
    }

    /// <summary>Prepares the statement on the connection; null when the connection is not an open Microsoft.Data.Sqlite one.</summary>
    public static SqliteStatement? Prepare(System.Data.Common.DbConnection connection, string sql)
    {
        if (connection is not SqliteConnection { Handle: { } db })
        {
            return null;
        }

        Check(db, raw.sqlite3_prepare_v2(db, sql, out var statement));
        return new SqliteStatement(db, statement);
    }

    /// <summary>Binds a parameter (1-based, in order of appearance): text, a blob, an integer, or null.</summary>
    public void Bind(int index, object? value)
        => Check(_db, value switch
        {
            string text => raw.sqlite3_bind_text(_statement, index, text),
            byte[] bytes => raw.sqlite3_bind_blob(_statement, index, bytes),
            long number => raw.sqlite3_bind_int64(_statement, index, number),
            int number => raw.sqlite3_bind_int(_statement, index, number),
            null or DBNull => raw.sqlite3_bind_null(_statement, index),
            _ => throw new InvalidOperationException($"A value of type {value.GetType()} cannot be bound here."),
        });

    /// <summary>Binds an integer parameter without boxing it.</summary>
    public void Bind(int index, long value) => Check(_db, raw.sqlite3_bind_int64(_statement, index, value));

    /// <summary>Runs the statement with the values bound, then readies it for the next ones.</summary>
    public void Execute()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW)
        {
            SqliteException.ThrowExceptionForRC(rc, _db); // before the reset, while SQLite still holds the message
        }

        Check(_db, raw.sqlite3_reset(_statement));
    }

    public void Dispose() => _statement.Dispose();

    private static void Check(sqlite3 db, int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }
}
