using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Liblim.EfCore;

/// <summary>
/// The database lacks a table or column that Liblim reads or writes: replication was turned on, or Liblim upgraded, or
/// the model changed, without the database following (Liblim's tables and columns are part of the EF model). Nothing
/// was written. Apply the model's migrations (<c>dotnet ef migrations add</c>, then <c>database update</c>), or create a
/// new database with <c>EnsureCreated</c>.
/// </summary>
public sealed class DatabaseNotSetUpException : LiblimException
{
    private DatabaseNotSetUpException(string missing, DbException innerException)
        : base($"The database is not set up for replication as this model and this version of Liblim need it: {missing}. " +
               "Liblim's tables and columns are part of the EF model: add a migration (dotnet ef migrations add) and apply it, " +
               "or create a new database with EnsureCreated.", innerException)
    {
        Missing = missing;
    }

    /// <summary>What the database said is missing.</summary>
    public string Missing { get; }

    /// <summary>The exception for a database error that says a table or column is missing; null for any other error.</summary>
    internal static DatabaseNotSetUpException? For(DbException error)
    {
        var missing = error switch
        {
            // PostgreSQL: undefined_table, undefined_column.
            { SqlState: "42P01" or "42703" } => FirstLine(error.Message),
            SqliteException { SqliteErrorCode: 1 } sqlite when sqlite.Message.Contains("no such table", StringComparison.Ordinal)
                || sqlite.Message.Contains("no such column", StringComparison.Ordinal)
                || sqlite.Message.Contains("has no column named", StringComparison.Ordinal) => FirstLine(sqlite.Message),
            _ => null,
        };
        return missing is null ? null : new DatabaseNotSetUpException(missing, error);
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
