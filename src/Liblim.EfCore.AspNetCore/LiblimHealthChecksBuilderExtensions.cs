using Liblim.EfCore.AspNetCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Liblim's health check.</summary>
public static class LiblimHealthChecksBuilderExtensions
{
    /// <summary>
    /// Reports whether the context's database answers (unhealthy when not) and whether the sync service's peers are
    /// connected (degraded while one is not), with the hub's open sessions in the data.
    /// </summary>
    public static IHealthChecksBuilder AddLiblim<TContext>(this IHealthChecksBuilder builder, string name = "liblim", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(name, services => new LiblimHealthCheck<TContext>(services), failureStatus, tags));
    }
}
