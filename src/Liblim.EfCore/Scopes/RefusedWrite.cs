namespace Liblim.EfCore;

/// <summary>
/// A write of this replica's that a server did not apply: the row is outside what the server's scope rules let this peer
/// write (<see cref="LiblimScopes"/>). The server answers it with its own state of the row, which wins here and everywhere.
/// </summary>
/// <param name="Table">The replicated table.</param>
/// <param name="Key">The row's canonical key (a JSON array of its key values).</param>
/// <param name="Reason">Why, written for this side.</param>
public sealed record RefusedWrite(string Table, string Key, string Reason);
