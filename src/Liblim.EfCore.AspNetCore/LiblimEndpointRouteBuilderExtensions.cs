using Liblim.EfCore.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebSockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Puts a Liblim hub on an endpoint.</summary>
public static class LiblimEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the hub of <c>AddLiblimHub&lt;TContext&gt;</c> to <paramref name="pattern"/>: peers sync with it at
    /// <c>wss://host/pattern</c>. The endpoint is like any other: <c>RequireAuthorization()</c> makes the app's
    /// authentication decide who may sync (401/403 before the upgrade), and the authenticated user is the peer's identity.
    /// </summary>
    public static IEndpointConventionBuilder MapLiblim<TContext>(this IEndpointRouteBuilder endpoints, string pattern)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        var services = endpoints.ServiceProvider;
        var hub = services.GetService<LiblimHub<TContext>>()
            ?? throw new InvalidOperationException($"MapLiblim<{typeof(TContext).Name}> needs services.AddLiblimHub<{typeof(TContext).Name}>().");

        // Accepts WebSockets whether or not the app calls UseWebSockets: where it does, the request has the feature already.
        var upgrade = new WebSocketMiddleware(hub.ServeAsync, services.GetRequiredService<IOptions<WebSocketOptions>>(), services.GetRequiredService<ILoggerFactory>());
        return endpoints.Map(pattern, context => context.WebSockets.IsWebSocketRequest ? hub.ServeAsync(context) : upgrade.Invoke(context))
            .WithDisplayName($"Liblim hub ({typeof(TContext).Name})");
    }
}
