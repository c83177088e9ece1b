using System.Globalization;
using Liblim.EfCore.Metadata.Internal;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>The node numbers of <c>__liblim_nodes</c>, which stored clocks and sources use (see <see cref="KnownNode"/>).</summary>
internal sealed partial class ShadowStore
{
    /// <summary>
    /// Makes sure <see cref="StoreSession.Nodes"/> holds the given numbers, reading the nodes table when it does not.
    /// A number still missing then is reported when the row naming it is expanded.
    /// </summary>
    private async Task ReadNodeNumbersAsync(IEnumerable<int> numbers, bool async, CancellationToken ct)
    {
        if (numbers.Any(n => !session.Nodes.Contains(n)))
        {
            await ReadNodesAsync(async, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Makes sure every given node id (none when null) has a number, numbering the new ones as max + 1. Only under the state row's
    /// lock (every write transaction but a concurrent apply takes it first), or in a concurrent apply under the numbering's
    /// own lock, so that no other writer numbers nodes at the same time.
    /// </summary>
    private async Task NumberNodesAsync(HashSet<string>? missing, bool async, CancellationToken ct)
    {
        if (missing is null)
        {
            return;
        }

        if (missing.Any(id => !session.Nodes.Contains(id)))
        {
            await LockNodeNumberingAsync(async, ct).ConfigureAwait(false);
        }

        await ReadNodesAsync(async, ct).ConfigureAwait(false);
        var n = session.Model.Shadow;
        var nodes = session.Table(n.NodesTable);
        var number = session.Column(n.NodeNumber);
        var nodeId = session.Column(n.NodeId);
        foreach (var id in missing.Where(id => !session.Nodes.Contains(id)).Order(StringComparer.Ordinal))
        {
            using var command = session.CreateCommand(
                $"INSERT INTO {nodes} ({number}, {nodeId}) SELECT coalesce(max({number}), 0) + 1, @node FROM {nodes};" +
                $"SELECT {number} FROM {nodes} WHERE {nodeId} = @node");
            StoreSession.AddParameter(command, "@node", id);
            using var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false);
            await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false);
            session.Nodes.Add(Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture), id);
        }
    }

    /// <summary>The logical row of stored in-row clocks of a row (as an entity loaded them, say), with the node numbers they name read first.</summary>
    /// <exception cref="FormatException">The stored clocks are damaged.</exception>
    public async Task<ShadowRow> ExpandInRowAsync(string table, string key, string stored, bool async, CancellationToken ct)
    {
        await ReadNodeNumbersAsync(InRowClocks.NumbersOf(stored), async, ct).ConfigureAwait(false);
        return InRowClocks.Expand(table, key, long.MaxValue, stored, session.Nodes); // the position is not needed: any will do
    }

    /// <summary>Reads every row of the nodes table into <see cref="StoreSession.Nodes"/>.</summary>
    private async Task ReadNodesAsync(bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        using var command = session.CreateCommand(
            $"SELECT {session.Column(n.NodeNumber)}, {session.Column(n.NodeId)} FROM {session.Table(n.NodesTable)}");
        using var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false);
        while (await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false))
        {
            session.Nodes.Add(Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture), reader.GetString(1));
        }
    }
}
