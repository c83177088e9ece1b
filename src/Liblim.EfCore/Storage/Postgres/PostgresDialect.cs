using System.Data;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore.Storage;

namespace Liblim.EfCore.Storage.Postgres;

/// <summary>
/// PostgreSQL: every replicated write locks the single state row with SELECT ... FOR UPDATE in a READ COMMITTED
/// transaction, which serializes replicated writes per database: clocks are handed out one transaction at a time, and
/// each statement after the lock sees every write committed before it. Feed positions are drawn from a sequence, and
/// the feed's head is a watermark (<c>ShadowStore.Positions</c>; see docs/semantics.md, "Several writers on one database").
/// </summary>
internal sealed class PostgresDialect : SqlDialect
{
    public static readonly PostgresDialect Instance = new();

    private const long TicksPerMicrosecond = 10;

    public override string DatabaseName => "PostgreSQL";

    public override string LockRowClause => " FOR UPDATE";

    public override bool DrawsPositionsFromSequence => true;

    // Explicit, so that a database whose default is REPEATABLE READ or SERIALIZABLE does not turn every
    // concurrent write into a serialization failure at the lock.
    public override IsolationLevel? WriteIsolation => IsolationLevel.ReadCommitted;

    public override IsolationLevel SnapshotIsolation => IsolationLevel.RepeatableRead;

    // Only DEFERRABLE constraints can be deferred, and EF creates NOT DEFERRABLE ones. But a statement's foreign keys
    // are checked at its end, data-modifying WITH clauses included, so a cycle is written as one statement.
    public override string? DeferForeignKeysSql => null;

    public override bool WritesTablesInOneStatement => true;

    // PostgreSQL's wire protocol allows 65535 parameters per statement.
    public override int MaxParameters => 30_000;

    // Each statement is a round trip to the server: many rows per statement.
    public override bool WritesRowAtATime => false;

    public override bool ListsOverArrays => true;

    public override string InTextList(string column, string parameter) => $"{column} = ANY({parameter})";

    public override object TextList(IEnumerable<string> texts) => texts.ToArray();

    public override string InBinaryList(string column, string parameter) => $"{column} = ANY({parameter})";

    // Npgsql sends an array of byte arrays as bytea[].
    public override object BinaryList(IEnumerable<byte[]> values) => values.ToArray();

    // The first 56 bits of the MD5 of the values' text forms, each quoted (NULL as the word), so that no two rows' lists run together.
    public override string ContentHash(IReadOnlyList<string> columns)
        => $"('x' || substr(md5(concat_ws(',', {string.Join(", ", columns.Select(c => $"quote_nullable({c})"))})), 1, 14))::bit(56)::bigint";

    public override string LowercaseHex(string expression) => $"to_hex({expression})";

    /// <summary>
    /// PostgreSQL keeps times to the microsecond (a finer value is rounded down), keeps a timestamp with time
    /// zone as an instant in UTC (not its offset), and cannot hold the NUL character in text.
    /// </summary>
    public override object StoredValue(RelationalTypeMapping mapping, object value) => value switch
    {
        string s when s.Contains('\0', StringComparison.Ordinal) => throw NoNul(),
        '\0' => throw NoNul(),
        DateTime d => Timestamp(mapping, d),
        DateTimeOffset d => d == DateTimeOffset.MinValue || d == DateTimeOffset.MaxValue ? d : new DateTimeOffset(Floor(d.UtcTicks), TimeSpan.Zero),
        TimeOnly t => new TimeOnly(Floor(t.Ticks)),
        TimeSpan t => new TimeSpan(t.Ticks - t.Ticks % TicksPerMicrosecond), // interval: toward zero
        _ => base.StoredValue(mapping, value),
    };

    /// <summary>
    /// A timestamp to the microsecond. Npgsql writes DateTime.MinValue and MaxValue as -infinity and infinity and
    /// reads them back unchanged; "timestamp without time zone" takes an unspecified kind, "with time zone" UTC.
    /// </summary>
    private static DateTime Timestamp(RelationalTypeMapping mapping, DateTime d)
    {
        var kind = mapping.StoreType.StartsWith("timestamp without", StringComparison.OrdinalIgnoreCase) || mapping.StoreType.Equals("timestamp", StringComparison.OrdinalIgnoreCase)
            ? DateTimeKind.Unspecified
            : DateTimeKind.Utc;
        var utc = d.Kind == DateTimeKind.Local ? d.ToUniversalTime() : d;
        return utc == DateTime.MinValue || utc == DateTime.MaxValue
            ? DateTime.SpecifyKind(utc, kind)
            : new DateTime(Floor(utc.Ticks), kind);
    }

    private static long Floor(long ticks) => ticks - ticks % TicksPerMicrosecond;

    private static FormatException NoNul()
        => new("PostgreSQL text cannot hold the NUL character (U+0000). Remove it on the replica that wrote it.");
}
