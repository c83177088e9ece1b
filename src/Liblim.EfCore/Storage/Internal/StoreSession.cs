using System.Data.Common;
using Liblim.EfCore.Metadata.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// A context's connection and current transaction, with what Liblim's SQL needs of it: the dialect, EF's
/// identifier quoting and the replication model. Commands run inside the context's current transaction.
/// </summary>
internal sealed class StoreSession
{
    private readonly DbContext _context;
    private NodeNumbers? _nodes;
    private DbTransaction? _nodesTransaction;

    public StoreSession(DbContext context)
    {
        _context = context;
        Dialect = SqlDialect.For(context.Database.ProviderName);
        Sql = context.GetService<ISqlGenerationHelper>();
        Model = ReplicationModel.For(context.Model);
    }

    public SqlDialect Dialect { get; }

    public ISqlGenerationHelper Sql { get; }

    public ReplicationModel Model { get; }

    /// <summary>
    /// The node numbers read or handed out so far in the current transaction (see <see cref="MetadataStore"/>). They
    /// are kept for that transaction only, and only by this session: a number handed out in a transaction that rolls
    /// back is never used again, and other processes on the database hand out numbers of their own.
    /// </summary>
    public NodeNumbers Nodes
    {
        get
        {
            var transaction = _context.Database.CurrentTransaction?.GetDbTransaction();
            if (_nodes is null || !ReferenceEquals(transaction, _nodesTransaction))
            {
                _nodes = new NodeNumbers();
                _nodesTransaction = transaction;
            }

            return _nodes;
        }
    }

    /// <summary>A command on the context's connection, enlisted in its current transaction.</summary>
    public DbCommand CreateCommand(string text)
    {
        var command = _context.Database.GetDbConnection().CreateCommand();
        command.Transaction = _context.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = text;
        var timeout = _context.Database.GetCommandTimeout();
        if (timeout is not null)
        {
            command.CommandTimeout = timeout.Value;
        }

        return command;
    }

    /// <summary>Quotes a (schema-qualified) table name.</summary>
    public string Table((string Name, string? Schema) table) => Sql.DelimitIdentifier(table.Name, table.Schema);

    /// <summary>Quotes a table name.</summary>
    public string Table(ReplicatedTable table) => Sql.DelimitIdentifier(table.TableName, table.Schema);

    /// <summary>Quotes a column name.</summary>
    public string Column(string name) => Sql.DelimitIdentifier(name);

    public static DbParameter AddParameter(DbCommand command, string name, object? value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        command.Parameters.Add(p);
        return p;
    }

    public static async Task<int> ExecuteAsync(DbCommand command, bool async, CancellationToken ct)
        => async ? await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) : command.ExecuteNonQuery();

    public static async Task<DbDataReader> ReadAsync(DbCommand command, bool async, CancellationToken ct)
        => async ? await command.ExecuteReaderAsync(ct).ConfigureAwait(false) : command.ExecuteReader();

    public static async Task<bool> NextAsync(DbDataReader reader, bool async, CancellationToken ct)
        => async ? await reader.ReadAsync(ct).ConfigureAwait(false) : reader.Read();
}
