using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;
using Liblim.EfCore.Values;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Liblim.EfCore.Storage.Sqlite;

/// <summary>
/// SQLite: a write transaction holds the database's write lock from BEGIN IMMEDIATE (Microsoft.Data.Sqlite's
/// default), so no row lock is needed and writers are serialized per database file. Statements run in process, so rows
/// are written one statement execution per row, on the connection's own handle where it can
/// (<see cref="SqliteStatement"/>); lists of keys are read through one JSON list; a group of a peer's batches keeps its
/// savepoints' journals in memory, and a larger page cache (<see cref="SqliteApplyingConnection"/>).
/// </summary>
internal sealed class SqliteDialect : SqlDialect
{
    public static readonly SqliteDialect Instance = new();

    // Microsoft.Data.Sqlite writes a decimal as this text, and reads it back with decimal.Parse.
    internal const string DecimalFormat = "0.0###########################";

    public override string DatabaseName => "SQLite";

    public override string LockRowClause => "";

    public override IsolationLevel? WriteIsolation => null;

    // Microsoft.Data.Sqlite begins a deferred transaction for ReadUncommitted: a read snapshot that takes no
    // write lock (read_uncommitted itself only matters with a shared cache, which EF does not use).
    public override IsolationLevel SnapshotIsolation => IsolationLevel.ReadUncommitted;

    // Per transaction: SQLite turns it off again at commit or rollback. RESTRICT and CASCADE still act at once.
    public override string? DeferForeignKeysSql => "PRAGMA defer_foreign_keys = ON";

    public override bool WritesTablesInOneStatement => false;

    // Microsoft.Data.Sqlite binds each named parameter by searching the statement's parameter names, so a
    // statement's binding cost grows with the square of its parameters: keep lists short (writes go row at a time).
    public override int MaxParameters => 200;

    public override bool WritesRowAtATime => true;

    public override bool ListsOverArrays => false;

    public override string InTextList(string column, string parameter) => $"{column} IN (SELECT value FROM json_each({parameter}))";

    public override object TextList(IEnumerable<string> texts) => System.Text.Json.JsonSerializer.Serialize(texts);

    // A JSON array of hex texts, each turned back into a blob by unhex (SQLite 3.41 and later; the bundled SQLite has it).
    public override string InBinaryList(string column, string parameter) => $"{column} IN (SELECT unhex(value) FROM json_each({parameter}))";

    public override object BinaryList(IEnumerable<byte[]> values) => TextList(values.Select(v => Convert.ToHexString(v)));

    // Microsoft.Data.Sqlite retries a write that finds the database locked after sleeping 150 ms; SQLite's own busy
    // handler waits in small steps. Given the same limit as the command timeout, on every open (a pooled connection may
    // come from a context with another timeout); an app's own connection interceptor runs after this one.
    public override string ConnectionSetupSql(int commandTimeoutSeconds)
        => $"PRAGMA busy_timeout = {(commandTimeoutSeconds * 1000L).ToString(CultureInfo.InvariantCulture)}";

    public override IRowStatement? PrepareBelowCommand(DbCommand command) => SqliteStatement.Prepare(command);

    public override string ContentHash(IReadOnlyList<string> columns) => $"{SqliteContentHash.FunctionName}({string.Join(", ", columns)})";

    public override string LowercaseHex(string expression) => $"printf('%x', {expression})";

    public override void PrepareContentHash(DbConnection connection) => SqliteContentHash.Register((Microsoft.Data.Sqlite.SqliteConnection)connection);

    /// <summary>
    /// A JSON array of what SQLite stores for each value, integers and texts, for <c>json_each</c>; null when a value is
    /// stored as anything else (a real, a blob).
    /// </summary>
    public override string? ValueList(ReplicatedColumn column, IEnumerable<object?> values, DbCommand scratch)
    {
        var parameter = column.CreateParameter(scratch, "@v", null);
        var json = new StringBuilder("[");
        foreach (var value in values)
        {
            column.SetParameterValue(parameter, value);
            if (!SqliteStoredValue.TryGet(parameter, out var stored) || stored.Class is not (SqliteStorageClass.Integer or SqliteStorageClass.Text))
            {
                return null;
            }

            json.Append(json.Length == 1 ? "" : ",");
            if (stored.Class == SqliteStorageClass.Integer)
            {
                json.Append(stored.Integer.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                CanonicalJson.AppendQuoted(json, stored.Text!);
            }
        }

        return json.Append(']').ToString();
    }

    public override async Task<IAsyncDisposable?> BeginApplyingAsync(DbContext context, CancellationToken ct)
        => await SqliteApplyingConnection.BeginAsync(context, ct).ConfigureAwait(false);

    /// <summary>
    /// SQLite keeps times and text exactly, but has no NaN (Microsoft.Data.Sqlite refuses it), drops the sign of
    /// a negative zero, and keeps a decimal as text without trailing zeros (1.10 reads back as 1.1).
    /// </summary>
    public override object StoredValue(RelationalTypeMapping mapping, object value) => value switch
    {
        double d when double.IsNaN(d) => throw NoNaN(),
        float f when float.IsNaN(f) => throw NoNaN(),
        double d when d == 0 => 0d,
        float f when f == 0 => 0f,
        decimal m => decimal.Parse(m.ToString(DecimalFormat, CultureInfo.InvariantCulture), NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture),
        _ => base.StoredValue(mapping, value),
    };

    private static FormatException NoNaN()
        => new("SQLite cannot store NaN (not a number). Replace NaN with null or a number on the replica that wrote it.");
}
