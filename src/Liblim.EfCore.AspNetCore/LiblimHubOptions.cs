namespace Liblim.EfCore.AspNetCore;

/// <summary>How a hub serves its database over WebSockets (<c>AddLiblimHub</c>).</summary>
public sealed class LiblimHubOptions
{
    /// <summary>Protocol limits for every session.</summary>
    public LiblimProtocolLimits Limits { get; set; } = new();

    /// <summary>
    /// How often a live session looks for changes that no signal announced (those written by another process on the same
    /// database). Default 1 second.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most sessions served at once by this process; more are answered 503 before the upgrade. Default 256.</summary>
    public int MaxConnections { get; set; } = 256;

    /// <summary>
    /// A shared secret for peers the endpoint lets in without authenticating them (an endpoint without
    /// <c>RequireAuthorization</c>): they prove it in the greeting, as over TCP. When null, such peers are refused (401).
    /// A peer the endpoint authenticated never needs it.
    /// </summary>
    public string? Secret { get; set; }

    /// <summary>
    /// Which rows each peer receives and may write, by rules over the user the endpoint authenticated; with no rule, every
    /// peer reads and writes every row; with rules, an entity without one is neither sent nor written.
    /// </summary>
    public LiblimScopes Scopes { get; } = new();

    /// <summary>A peer receives, and may write, the rows of <typeparamref name="TEntity"/> for which <paramref name="rule"/> holds (<see cref="LiblimScopes.Scope{TEntity}"/>).</summary>
    public LiblimHubOptions Scope<TEntity>(System.Linq.Expressions.Expression<Func<TEntity, LiblimPeer, bool>> rule)
        where TEntity : class
    {
        Scopes.Scope(rule);
        return this;
    }

    /// <summary>Every peer receives every row of <typeparamref name="TEntity"/>, and none may write it (<see cref="LiblimScopes.ReadOnly{TEntity}"/>).</summary>
    public LiblimHubOptions ReadOnly<TEntity>()
        where TEntity : class
    {
        Scopes.ReadOnly<TEntity>();
        return this;
    }

    internal void Validate()
    {
        Limits.Validate();
        if (PollInterval <= TimeSpan.Zero || MaxConnections < 1)
        {
            throw new ArgumentException("AddLiblimHub: PollInterval and MaxConnections must be positive.");
        }
    }
}
