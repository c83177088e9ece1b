using System.Data;
using System.Data.Common;
using System.Globalization;
using Liblim.EfCore.Metadata.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// What differs between databases, in one class per database (<c>Storage/Sqlite</c>, <c>Storage/Postgres</c>), chosen once
/// from EF's database provider and given by EF's service provider (<c>AddEntityFrameworkLiblim</c>): a few clauses and
/// limits of Liblim's SQL, the isolation levels its transactions rely on, which values a column can hold exactly, and
/// the database's own faster ways to run a statement per row, read a list of keys and apply a peer's batches. Everything
/// else (ON CONFLICT upserts, quoting through EF's SQL generation helper, named parameters) is common.
/// </summary>
internal abstract class SqlDialect : IValueStorage
{
    /// <summary>The database's name, for messages.</summary>
    public abstract string DatabaseName { get; }

    /// <summary>Appended to the SELECT of the state row to lock it until the transaction ends.</summary>
    public abstract string LockRowClause { get; }

    /// <summary>
    /// Whether feed positions are drawn from a sequence of the model's (<c>ShadowStore.Positions</c>), so that writers
    /// need not take them one transaction at a time, rather than counted on from the state row's head under its lock.
    /// </summary>
    public virtual bool DrawsPositionsFromSequence => false;

    /// <summary>The isolation level of a write transaction Liblim opens; null for the provider's default.</summary>
    public abstract IsolationLevel? WriteIsolation { get; }

    /// <summary>The isolation level of a read-only snapshot.</summary>
    public abstract IsolationLevel SnapshotIsolation { get; }

    /// <summary>
    /// A statement that defers the foreign key checks of the current transaction to its commit; null when the
    /// database cannot (its writes are then ordered, and a cycle of references is written as one statement).
    /// </summary>
    public abstract string? DeferForeignKeysSql { get; }

    /// <summary>
    /// Whether one statement may write several tables (data-modifying WITH), with its foreign keys checked at its end:
    /// how a cycle of references is written where checks cannot be deferred.
    /// </summary>
    public abstract bool WritesTablesInOneStatement { get; }

    /// <summary>The most parameters one command of Liblim's may carry (reads of key lists are chunked to fit).</summary>
    public abstract int MaxParameters { get; }

    /// <summary>
    /// Whether rows are written one statement per row, prepared once and executed with its parameters reused, rather
    /// than as multi-row statements: the cheaper way where statements run in process and cost nothing to send.
    /// </summary>
    public abstract bool WritesRowAtATime { get; }

    /// <summary>
    /// Whether a list of a column's values goes as one array parameter where the provider has an array type for the
    /// column, rather than as a parameter per value: many rows are inserted and updated over one array per column
    /// (<c>INSERT ... SELECT * FROM unnest(...)</c>, <c>UPDATE ... FROM unnest(...)</c>) and rows are found by a list of
    /// keys with <c>= ANY(...)</c>. One short
    /// statement for the server to parse and plan, and a few parameters for the client to build, whatever the row count.
    /// </summary>
    public abstract bool ListsOverArrays { get; }

    /// <summary>"The text column holds one of the texts of a list parameter", one statement text for any number of texts.</summary>
    /// <param name="column">The quoted column.</param>
    /// <param name="parameter">The parameter's name; its value is <see cref="TextList"/>.</param>
    public abstract string InTextList(string column, string parameter);

    /// <summary>The value of the parameter of <see cref="InTextList"/>.</summary>
    public abstract object TextList(IEnumerable<string> texts);

    /// <summary>"The binary column holds one of the values of a list parameter", one statement text for any number of values.</summary>
    /// <param name="column">The quoted column.</param>
    /// <param name="parameter">The parameter's name; its value is <see cref="BinaryList"/>.</param>
    public abstract string InBinaryList(string column, string parameter);

    /// <summary>The value of the parameter of <see cref="InBinaryList"/>.</summary>
    public abstract object BinaryList(IEnumerable<byte[]> values);

    /// <summary>A statement to run on each connection Liblim's context opens, given the context's command timeout; null for none.</summary>
    public virtual string? ConnectionSetupSql(int commandTimeoutSeconds) => null;

    /// <summary>
    /// The value a column reads back after <paramref name="value"/> was written to it: the value itself, or the
    /// nearest value the column can hold (a coarser time, a normalized number). Applied to every value that
    /// enters or leaves the database, so that a replica's canonical JSON is always that of what it stores and a
    /// value another database holds more precisely is never taken for a change.
    /// </summary>
    /// <param name="mapping">EF's type mapping of the column.</param>
    /// <param name="value">A non-null value of the column's canonical JSON type (after the app's value converter, if any).</param>
    /// <exception cref="FormatException">The column cannot hold the value at all; the message says why.</exception>
    public virtual object StoredValue(RelationalTypeMapping mapping, object value) => value switch
    {
        string s => CheckText(s),
        char c when char.IsSurrogate(c) => throw LoneSurrogate(c, 0),
        _ => value,
    };

    /// <summary>
    /// Prepares a command's statement below ADO.NET, to run once per row with the command's parameters
    /// (<see cref="RowCommand"/>); null where the database has no such way, or not for this command.
    /// </summary>
    public virtual IRowStatement? PrepareBelowCommand(DbCommand command) => null;

    /// <summary>
    /// The values of one column as the value of an <see cref="InTextList"/> parameter, so that one statement reads the
    /// rows of any number of them; null where the database reads lists of values otherwise, or not these.
    /// </summary>
    /// <param name="column">The column.</param>
    /// <param name="values">Its model values.</param>
    /// <param name="scratch">A command to make a parameter with, to see how the column's values are stored.</param>
    public virtual string? ValueList(ReplicatedColumn column, IEnumerable<object?> values, DbCommand scratch) => null;

    /// <summary>
    /// An expression of a row's stored values (<paramref name="columns"/>, quoted, in the table's order) that gives the
    /// same integer from 0 to 2^56 - 1 for the same values in the same kind of database, and in practice a different one
    /// for different values: the ticks of an adopted row's clock (<c>Writes/RowAdoption</c>).
    /// </summary>
    public abstract string ContentHash(IReadOnlyList<string> columns);

    /// <summary>An integer expression as lowercase hex without leading zeros, as stored clocks write ticks (<see cref="CompactClocks"/>).</summary>
    public abstract string LowercaseHex(string expression);

    /// <summary>Readies the connection for a statement that uses <see cref="ContentHash"/>.</summary>
    public virtual void PrepareContentHash(DbConnection connection)
    {
    }

    /// <summary>
    /// Readies the context's connection, before the transaction of a group of a peer's batches begins, for applying them
    /// (one savepoint per batch); disposing what it returns, after the transaction ends, undoes it. Null when there is
    /// nothing to do.
    /// </summary>
    public virtual Task<IAsyncDisposable?> BeginApplyingAsync(DbContext context, CancellationToken ct) => Task.FromResult<IAsyncDisposable?>(null);

    // Both databases keep text as UTF-8, which has no form for half a surrogate pair (SQLite would store U+FFFD
    // instead, PostgreSQL refuses it): such text comes only from a foreign peer, and is refused rather than changed.
    private string CheckText(string s)
    {
        if (s.AsSpan().IndexOfAnyInRange('\ud800', '\udfff') < 0)
        {
            return s;
        }

        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                throw LoneSurrogate(s[i], i);
            }
        }

        return s;
    }

    private FormatException LoneSurrogate(char c, int index)
        => new($"the text holds a lone UTF-16 surrogate (U+{(int)c:X4} at index {index.ToString(CultureInfo.InvariantCulture)}), which is not Unicode text and which {DatabaseName} cannot store.");
}
