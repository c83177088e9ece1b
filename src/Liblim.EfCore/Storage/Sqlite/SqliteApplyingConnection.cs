using System.Data.Common;
using Microsoft.Data.Sqlite;
using Liblim.EfCore.Infrastructure.Internal;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Storage.Sqlite;

/// <summary>
/// How a SQLite connection is set while a group of batches is applied on it, each setting put back as it was when the
/// group ends:
/// <list type="bullet">
/// <item>Savepoint journals in memory. SQLite copies every page a savepoint (one per batch) changes first into a journal,
/// which it moves to a temporary file past 64 KiB unless the connection keeps temporary storage in memory
/// (<c>PRAGMA temp_store</c>); a batch changes pages all over the table's indexes, so writing that file was about a
/// seventh of applying. Left alone on a connection with temporary tables or views of the app's: changing the setting
/// drops them.</item>
/// <item>A page cache of at least the <c>SyncCacheSize</c> option's (<c>PRAGMA cache_size</c>; 16 MiB unless set, SQLite's
/// default is 2 MiB). A batch reads the rows it merges, then writes them and their index entries, all over the table:
/// with the default cache, the pages it read are mostly gone again by the time it writes them, once the table outgrows
/// it.</item>
/// </list>
/// </summary>
internal sealed class SqliteApplyingConnection : IAsyncDisposable
{
    private const long Memory = 2;

    private readonly DbContext _context;
    private readonly long? _tempStore;
    private readonly long? _cacheSize;

    private SqliteApplyingConnection(DbContext context, long? tempStore, long? cacheSize)
    {
        _context = context;
        _tempStore = tempStore;
        _cacheSize = cacheSize;
    }

    /// <summary>
    /// Before a group's transaction begins: sets the connection for applying, keeping it open until
    /// <see cref="DisposeAsync"/>; null where there is nothing to do (a transaction of the app's, both settings already so).
    /// </summary>
    public static async Task<SqliteApplyingConnection?> BeginAsync(DbContext context, CancellationToken ct)
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
            long? tempStore = null;
            var ownTempStore = await ScalarAsync(connection, "PRAGMA temp_store", ct).ConfigureAwait(false);
            if (ownTempStore != Memory && await ScalarAsync(connection, "SELECT count(*) FROM temp.sqlite_master", ct).ConfigureAwait(false) == 0)
            {
                await ExecuteAsync(connection, $"PRAGMA temp_store = {Memory}", ct).ConfigureAwait(false);
                tempStore = ownTempStore;
            }

            long? cacheSize = null;
            var wanted = LiblimOptionsExtension.Of(context).SyncCacheKibibytes;
            if (wanted > 0)
            {
                // A positive size counts pages, a negative one KiB.
                var own = await ScalarAsync(connection, "PRAGMA cache_size", ct).ConfigureAwait(false);
                var kibibytes = own < 0 ? -own : own * await ScalarAsync(connection, "PRAGMA page_size", ct).ConfigureAwait(false) / 1024;
                if (kibibytes < wanted)
                {
                    await ExecuteAsync(connection, $"PRAGMA cache_size = -{wanted}", ct).ConfigureAwait(false);
                    cacheSize = own;
                }
            }

            if (tempStore is not null || cacheSize is not null)
            {
                return new SqliteApplyingConnection(context, tempStore, cacheSize);
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

    /// <summary>After the group's transaction has ended: puts the settings back and lets the connection close.</summary>
    public async ValueTask DisposeAsync()
    {
        var connection = _context.Database.GetDbConnection();
        try
        {
            if (_cacheSize is { } cacheSize)
            {
                // The pages beyond the connection's own size are let go now.
                await ExecuteAsync(connection, $"PRAGMA cache_size = {cacheSize}", CancellationToken.None).ConfigureAwait(false);
            }

            if (_tempStore is { } tempStore)
            {
                await ExecuteAsync(connection, $"PRAGMA temp_store = {tempStore}", CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (SqliteException)
        {
            // Only where SQLite refuses the change of temp_store (a transaction of the app's opened since): the connection
            // keeps its temporary storage in memory, which loses nothing.
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
