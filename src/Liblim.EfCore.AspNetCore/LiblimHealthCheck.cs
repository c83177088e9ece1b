using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Liblim.EfCore.AspNetCore;

/// <summary>
/// Whether the replica's database answers (unhealthy when not), and, where the app keeps live sessions with peers
/// (<c>AddLiblimSync</c>), which of them are connected (degraded while one is not: an offline-first app works on).
/// </summary>
/// <typeparam name="TContext">The replicated context.</typeparam>
internal sealed class LiblimHealthCheck<TContext>(IServiceProvider services) : IHealthCheck
    where TContext : DbContext
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>();
        var factory = services.GetRequiredService<IDbContextFactory<TContext>>();
        try
        {
            var db = await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            await using (db.ConfigureAwait(false))
            {
                if (!await db.Database.CanConnectAsync(cancellationToken).ConfigureAwait(false))
                {
                    return new HealthCheckResult(context.Registration.FailureStatus, $"The database of {typeof(TContext).Name} does not answer.");
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The database of {typeof(TContext).Name} does not answer: {e.Message}", e);
        }

        if (services.GetService<LiblimHub<TContext>>() is { } hub)
        {
            data["sessions"] = hub.Sessions;
        }

        var down = new List<Uri>();
        if (services.GetService<LiblimSyncService<TContext>>() is { } sync)
        {
            foreach (var peer in sync.Peers)
            {
                var connected = sync.IsConnected(peer);
                data[$"peer {peer}"] = connected ? "connected" : "not connected";
                if (!connected)
                {
                    down.Add(peer);
                }
            }
        }

        return down.Count == 0
            ? HealthCheckResult.Healthy($"The database of {typeof(TContext).Name} answers.", data)
            : HealthCheckResult.Degraded($"Not connected to {string.Join(", ", down)}; changes wait until the peer is back.", data: data);
    }
}
