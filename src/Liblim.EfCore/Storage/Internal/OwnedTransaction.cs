using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// A transaction Liblim opens when the app has none (and joins the app's when it has one), so that data and
/// metadata always commit together. Disposing without <see cref="CommitAsync"/> rolls back what Liblim opened.
/// </summary>
internal sealed class OwnedTransaction : IAsyncDisposable
{
    private readonly IDbContextTransaction? _transaction;
    private readonly StoreSession _session;
    private readonly bool _async;

    private OwnedTransaction(IDbContextTransaction? transaction, StoreSession session, bool async)
    {
        _transaction = transaction;
        _session = session;
        _async = async;
    }

    /// <summary>Whether Liblim opened the transaction (rather than joining the app's).</summary>
    public bool IsOwned => _transaction is not null;

    /// <summary>
    /// Begins a write transaction unless the context is already in one (SQLite: BEGIN IMMEDIATE; PostgreSQL:
    /// read committed, which the state row lock relies on).
    /// </summary>
    public static Task<OwnedTransaction> BeginWriteAsync(DbContext context, bool async, CancellationToken ct)
        => BeginAsync(context, context.GetService<SqlDialect>().WriteIsolation, async, ct);

    /// <summary>
    /// Begins a read-only snapshot (SQLite: a deferred transaction; PostgreSQL: repeatable read) unless the
    /// context is already in a transaction, so that metadata and values are read as of one moment.
    /// </summary>
    public static Task<OwnedTransaction> BeginSnapshotAsync(DbContext context, bool async, CancellationToken ct)
        => BeginAsync(context, context.GetService<SqlDialect>().SnapshotIsolation, async, ct);

    public async Task CommitAsync(CancellationToken ct)
    {
        if (_transaction is null)
        {
            return;
        }

        if (_async)
        {
            await _transaction.CommitAsync(ct).ConfigureAwait(false);
        }
        else
        {
            _transaction.Commit();
        }
    }

    /// <summary>Marks a point to roll back to (a savepoint), in a transaction Liblim opened; nothing otherwise.</summary>
    public Task SaveAsync(string name, CancellationToken ct)
        => _transaction is null ? Task.CompletedTask : _transaction.CreateSavepointAsync(name, ct);

    /// <summary>
    /// Undoes what was done since <see cref="SaveAsync"/>, keeping what came before it; the session forgets what it
    /// knew of the transaction (node numbers handed out, where rows' metadata is), which the undone part may have changed.
    /// </summary>
    public async Task RollbackToAsync(string name, CancellationToken ct)
    {
        if (_transaction is not null)
        {
            await _transaction.RollbackToSavepointAsync(name, ct).ConfigureAwait(false);
            _session.ForgetTransactionState();
        }
    }

    /// <summary>Forgets the point <see cref="SaveAsync"/> marked, keeping what was done since.</summary>
    public Task ReleaseAsync(string name, CancellationToken ct)
        => _transaction is null ? Task.CompletedTask : _transaction.ReleaseSavepointAsync(name, ct);

    public async ValueTask DisposeAsync()
    {
        if (_transaction is null)
        {
            return;
        }

        if (_async)
        {
            await _transaction.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            _transaction.Dispose();
        }
    }

    private static async Task<OwnedTransaction> BeginAsync(DbContext context, IsolationLevel? isolation, bool async, CancellationToken ct)
    {
        var database = context.Database;
        if (database.CurrentTransaction is not null || System.Transactions.Transaction.Current is not null)
        {
            return new OwnedTransaction(null, context.GetService<StoreSession>(), async);
        }

        IDbContextTransaction transaction;
        try
        {
            transaction = (isolation, async) switch
            {
                (null, true) => await database.BeginTransactionAsync(ct).ConfigureAwait(false),
                (null, false) => database.BeginTransaction(),
                ({ } level, true) => await database.BeginTransactionAsync(level, ct).ConfigureAwait(false),
                ({ } level, false) => database.BeginTransaction(level),
            };
        }
        catch (DbException) when (database.GetDbConnection().State == ConnectionState.Open)
        {
            // EF opens the connection for the transaction (or counts one more use of it) and, when the database then refuses
            // to begin (its write lock busy past the timeout), leaves it so: the app's own close would not close it.
            if (async)
            {
                await database.CloseConnectionAsync().ConfigureAwait(false);
            }
            else
            {
                database.CloseConnection();
            }

            throw;
        }

        return new OwnedTransaction(transaction, context.GetService<StoreSession>(), async);
    }
}
