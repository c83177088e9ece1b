namespace Liblim.EfCore;

/// <summary>
/// A write of this replica's that a server did not apply: the row is outside what the server's scope rules let this peer
/// write (<see cref="LiblimScopes"/>). The server answers it with its own state of the row, which wins here and everywhere.
/// </summary>
/// <param name="Table">The replicated table.</param>
/// <param name="Key">The row's canonical key (a JSON array of its key values).</param>
/// <param name="Reason">Why, written for this side.</param>
public sealed record RefusedWrite(string Table, string Key, string Reason)
{
    /// <summary>The node id of the server that refused it (empty in the server's own account of it).</summary>
    public Guid Server { get; init; }

    /// <summary>When this replica heard of it; null where not recorded yet.</summary>
    public DateTimeOffset? RefusedAt { get; init; }
}
