using System.Data.Common;
using Liblim.EfCore.Infrastructure.Internal;
using Liblim.EfCore.Metadata.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// A context's connection and current transaction, with what Liblim's SQL needs of it: the dialect, EF's identifier
/// quoting, the replication model and Liblim's options; and the stores that read and write Liblim's tables and the
/// replicated tables through it. One per context, from EF's service provider (<c>context.GetService&lt;StoreSession&gt;()</c>).
/// Commands run inside the context's current transaction.
/// </summary>
internal sealed class StoreSession
{
    private readonly DbContext _context;
    private readonly Dictionary<ReplicatedTable, TableStore> _tables = [];
    private ReplicationModel? _model;
    private ShadowStore? _shadow;
    private (NodeNumbers Nodes, MetadataPlaces Places)? _transactionState;
    private (Guid? Id, string? Ambient) _transaction;

    public StoreSession(ICurrentDbContext current, SqlDialect dialect, ISqlGenerationHelper sql, IRelationalTypeMappingSource typeMappings, IDbContextOptions options)
    {
        _context = current.Context;
        Dialect = dialect;
        Sql = sql;
        TypeMappings = typeMappings;
        Options = options.FindExtension<LiblimOptionsExtension>()!;
    }

    public SqlDialect Dialect { get; }

    public ISqlGenerationHelper Sql { get; }

    /// <summary>The provider's type mappings, for types the model's columns do not have (arrays of their values).</summary>
    public IRelationalTypeMappingSource TypeMappings { get; }

    public ReplicationModel Model => _model ??= ReplicationModel.For(_context.Model);

    /// <summary>Liblim's options on the context.</summary>
    public LiblimOptionsExtension Options { get; }

    /// <summary>Liblim's own tables: rows' replication state, the state row, peers and nodes.</summary>
    public ShadowStore Shadow => _shadow ??= new ShadowStore(this);

    /// <summary>The data rows of a replicated table.</summary>
    public TableStore Rows(ReplicatedTable table)
    {
        if (!_tables.TryGetValue(table, out var store))
        {
            _tables[table] = store = new TableStore(this, table);
        }

        return store;
    }

    /// <summary>
    /// The node numbers read or handed out so far in the current transaction (see <see cref="ShadowStore"/>). They
    /// are kept for that transaction only, and only by this session: a number handed out in a transaction that rolls
    /// back is never used again, and other processes on the database hand out numbers of their own.
    /// </summary>
    public NodeNumbers Nodes => InTransaction().Nodes;

    /// <summary>Where the metadata of the rows this transaction has read or written is (<see cref="MetadataPlaces"/>).</summary>
    public MetadataPlaces Places => InTransaction().Places;

    /// <summary>Forgets <see cref="Nodes"/> and <see cref="Places"/> of the current transaction, after part of it was rolled back.</summary>
    public void ForgetTransactionState() => _transactionState = null;

    private (NodeNumbers Nodes, MetadataPlaces Places) InTransaction()
    {
        // EF's id of the transaction, or the ambient one's, not the ADO.NET object: a provider may hand out the same
        // transaction object again for the next transaction on a connection (Npgsql does).
        var id = _context.Database.CurrentTransaction?.TransactionId;
        var transaction = (id, id is null ? System.Transactions.Transaction.Current?.TransactionInformation.LocalIdentifier : null);
        if (_transactionState is null || transaction != _transaction)
        {
            _transactionState = (new NodeNumbers(), new MetadataPlaces());
            _transaction = transaction;
        }

        return _transactionState.Value;
    }

    /// <summary>The transaction the context is in, if any.</summary>
    public DbTransaction? CurrentTransaction => _context.Database.CurrentTransaction?.GetDbTransaction();

    /// <summary>EF's id of the transaction the context is in (not the ADO.NET object, which Npgsql hands out again for the next one).</summary>
    public Guid? CurrentTransactionId => _context.Database.CurrentTransaction?.TransactionId;

    /// <summary>
    /// The transaction (<see cref="CurrentTransactionId"/>) that holds back the feed's watermark outside its savepoints
    /// (<c>ShadowStore.HoldFeedAsync</c>): its writes draw positions without a hold of their own.
    /// </summary>
    public Guid? FeedHeldIn { get; set; }

    /// <summary>
    /// Whether the current transaction applies peers' batches concurrently with other such transactions (PostgreSQL;
    /// <c>ShadowStore.ConcurrentApply</c>): it holds the writers' gate shared rather than the state row, locks the rows it
    /// reads, stamps nothing, and raises the state row's clock once, at its commit (<see cref="Advanced"/>). Set for a
    /// group of batches, and cleared when it ends.
    /// </summary>
    public bool ConcurrentApply { get; set; }

    /// <summary>The greatest position and clock the writes of a concurrent apply handed out and received, for its commit.</summary>
    public (long Seq, long Clock) Advanced { get; set; }

    /// <summary>Whether a concurrent apply has numbered a node, which keeps other concurrent applies from numbering one until it ends.</summary>
    public bool NumberedNodes { get; set; }

    /// <summary>Opens the context's connection, or counts one more use of it, until <see cref="CloseConnectionAsync"/>.</summary>
    public async Task OpenConnectionAsync(bool async, CancellationToken ct)
    {
        if (async)
        {
            await _context.Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        }
        else
        {
            _context.Database.OpenConnection();
        }
    }

    /// <summary>Ends a use of the context's connection that <see cref="OpenConnectionAsync"/> began.</summary>
    public async Task CloseConnectionAsync(bool async)
    {
        if (async)
        {
            await _context.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
        else
        {
            _context.Database.CloseConnection();
        }
    }

    /// <summary>A command on the context's connection, enlisted in its current transaction.</summary>
    public DbCommand CreateCommand(string text)
    {
        var command = _context.Database.GetDbConnection().CreateCommand();
        command.Transaction = CurrentTransaction;
        command.CommandText = text;
        var timeout = _context.Database.GetCommandTimeout();
        if (timeout is not null)
        {
            command.CommandTimeout = timeout.Value;
        }

        return command;
    }

    /// <summary>A statement to run once per row (<see cref="RowCommand"/>), on the context's connection and in its transaction.</summary>
    public RowCommand CreateRowCommand(string text) => new(Dialect, CreateCommand(text));

    /// <summary>Quotes a (schema-qualified) table name.</summary>
    public string Table((string Name, string? Schema) table) => Sql.DelimitIdentifier(table.Name, table.Schema);

    /// <summary>Quotes a table name.</summary>
    public string Table(ReplicatedTable table) => Sql.DelimitIdentifier(table.TableName, table.Schema);

    /// <summary>Quotes a column name.</summary>
    public string Column(string name) => Sql.DelimitIdentifier(name);

    /// <summary>
    /// "After <paramref name="since"/> and, when given, not after <paramref name="through"/>" on a quoted sequence column, in
    /// sequence order and at most <paramref name="limit"/> rows when given: the end of a statement that reads a stretch of
    /// a change feed. Adds its parameters to the command.
    /// </summary>
    public static string FeedStretch(DbCommand command, string seq, long since, long? through, int? limit)
    {
        AddParameter(command, "@since", since);
        var sql = $"{seq} > @since";
        if (through is not null)
        {
            AddParameter(command, "@through", through.Value);
            sql += $" AND {seq} <= @through";
        }

        if (limit is not null)
        {
            AddParameter(command, "@limit", limit.Value);
            sql += $" ORDER BY {seq} LIMIT @limit";
        }

        return sql;
    }

    public static DbParameter AddParameter(DbCommand command, string name, object? value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        command.Parameters.Add(p);
        return p;
    }

    /// <exception cref="DatabaseNotSetUpException">The database lacks a table or column the command names.</exception>
    public static async Task<int> ExecuteAsync(DbCommand command, bool async, CancellationToken ct)
    {
        try
        {
            return async ? await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) : command.ExecuteNonQuery();
        }
        catch (DbException e) when (DatabaseNotSetUpException.For(e) is { } notSetUp)
        {
            throw notSetUp;
        }
    }

    /// <exception cref="DatabaseNotSetUpException">The database lacks a table or column the command names.</exception>
    public static async Task<DbDataReader> ReadAsync(DbCommand command, bool async, CancellationToken ct)
    {
        try
        {
            return async ? await command.ExecuteReaderAsync(ct).ConfigureAwait(false) : command.ExecuteReader();
        }
        catch (DbException e) when (DatabaseNotSetUpException.For(e) is { } notSetUp)
        {
            throw notSetUp;
        }
    }

    public static async Task<bool> NextAsync(DbDataReader reader, bool async, CancellationToken ct)
        => async ? await reader.ReadAsync(ct).ConfigureAwait(false) : reader.Read();

    /// <summary>On to the next statement's result, of a command of several statements.</summary>
    /// <exception cref="DatabaseNotSetUpException">The database lacks a table or column the statement names.</exception>
    public static async Task<bool> NextResultAsync(DbDataReader reader, bool async, CancellationToken ct)
    {
        try
        {
            return async ? await reader.NextResultAsync(ct).ConfigureAwait(false) : reader.NextResult();
        }
        catch (DbException e) when (DatabaseNotSetUpException.For(e) is { } notSetUp)
        {
            throw notSetUp;
        }
    }
}
