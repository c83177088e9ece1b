using System.Data.Common;
using Microsoft.Data.Sqlite;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Storage.Sqlite;

/// <summary>
/// Keeps SQLite's savepoint journals in memory while a group of batches is applied, one savepoint per batch. SQLite
/// copies every page a savepoint changes first into a journal, which it moves to a temporary file past 64 KiB unless
/// the connection keeps temporary storage in memory (<c>PRAGMA temp_store</c>); a batch of 1,000 rows changes pages
/// all over two indexes, so writing that file was about a seventh of applying. Set for the group only, on a connection
/// with no temporary tables or views of the app's (changing the setting drops them; then it is left alone), and put
/// back as it was when the group ends.
/// </summary>
internal sealed class SqliteSavepointJournal : IAsyncDisposable
{
    private const long Memory = 2;

    private readonly DbContext _context;
    private readonly long _previous;

    private SqliteSavepointJournal(DbContext context, long previous)
    {
        _context = context;
        _previous = previous;
    }

    /// <summary>
    /// Before a group's transaction begins: switches a SQLite connection to temporary storage in memory, keeping it
    /// open until <see cref="DisposeAsync"/>; null where there is nothing to do (a transaction of the app's, storage already
    /// in memory, temporary objects of the app's).
    /// </summary>
    public static async Task<SqliteSavepointJournal?> BeginAsync(DbContext context, CancellationToken ct)
    {
        var database = context.Database;
        if (database.CurrentTransaction is not null || System.Transactions.Transaction.Current is not null)
        {
            return null;
        }

        await database.OpenConnectionAsync(ct).ConfigureAwait(false);
        try
        {
            var connection = database.GetDbConnection();
            var previous = await ScalarAsync(connection, "PRAGMA temp_store", ct).ConfigureAwait(false);
            if (previous != Memory && await ScalarAsync(connection, "SELECT count(*) FROM temp.sqlite_master", ct).ConfigureAwait(false) == 0)
            {
                await ExecuteAsync(connection, $"PRAGMA temp_store = {Memory}", ct).ConfigureAwait(false);
                return new SqliteSavepointJournal(context, previous);
            }
        }
        catch
        {
            await database.CloseConnectionAsync().ConfigureAwait(false);
            throw;
        }

        await database.CloseConnectionAsync().ConfigureAwait(false);
        return null;
    }

    /// <summary>After the group's transaction has ended: puts the setting back and lets the connection close.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await ExecuteAsync(_context.Database.GetDbConnection(), $"PRAGMA temp_store = {_previous}", CancellationToken.None).ConfigureAwait(false);
        }
        catch (SqliteException)
        {
            // Only where SQLite refuses the change (a transaction of the app's opened since): the connection keeps its
            // temporary storage in memory, which loses nothing.
        }
        finally
        {
            await _context.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    private static async Task<long> ScalarAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        await StoreSession.ExecuteAsync(command, async: true, ct).ConfigureAwait(false);
    }
}
