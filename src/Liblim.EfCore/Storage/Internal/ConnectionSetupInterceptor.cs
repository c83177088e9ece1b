using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>Runs the dialect's per-connection setup (<see cref="SqlDialect.ConnectionSetupSql"/>) on each connection a Liblim context opens.</summary>
internal sealed class ConnectionSetupInterceptor(SqlDialect dialect) : DbConnectionInterceptor
{
    private const int DefaultCommandTimeoutSeconds = 30;

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        => SetUpAsync(connection, eventData.Context, async: false, default).GetAwaiter().GetResult();

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        => SetUpAsync(connection, eventData.Context, async: true, cancellationToken);

    private async Task SetUpAsync(DbConnection connection, DbContext? context, bool async, CancellationToken ct)
    {
        if (context is null)
        {
            return;
        }

        var timeout = context.Database.GetCommandTimeout() ?? DefaultCommandTimeoutSeconds;
        if (dialect.ConnectionSetupSql(timeout) is not { } sql)
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.CommandText = sql;
        await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
    }
}
