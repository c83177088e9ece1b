using Npgsql;

namespace Liblim.EfCore.Cli.Inspection;

/// <summary>The kinds of database a replica can be.</summary>
internal enum DatabaseKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Where a replica's database is, as given on the command line: a value holding <c>=</c> is a PostgreSQL connection string
/// (<c>Host=...;Database=...</c>), anything else the path of a SQLite file.
/// </summary>
internal sealed record DatabaseAddress(DatabaseKind Kind, string Value)
{
    public static DatabaseAddress Parse(string text)
        => text.Contains('=', StringComparison.Ordinal) ? new(DatabaseKind.Postgres, text) : new(DatabaseKind.Sqlite, text);

    /// <summary>How the database is named in output: the file's path, or the server and database without the password.</summary>
    public string Display
    {
        get
        {
            if (Kind == DatabaseKind.Sqlite)
            {
                return Value;
            }

            try
            {
                var builder = new NpgsqlConnectionStringBuilder(Value);
                return $"{builder.Host}{(builder.Port == NpgsqlConnection.DefaultPort ? "" : ":" + builder.Port)}/{builder.Database}";
            }
            catch (ArgumentException)
            {
                return "(PostgreSQL)";
            }
        }
    }
}
