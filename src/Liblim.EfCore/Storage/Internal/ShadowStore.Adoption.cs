using System.Globalization;
using Liblim.EfCore.Metadata.Internal;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>Adopting a table's rows stored without metadata (<c>Writes/RowAdoption</c>).</summary>
internal sealed partial class ShadowStore
{
    /// <summary>
    /// Adopts the rows of <paramref name="table"/> stored without metadata, at the feed positions after
    /// <paramref name="after"/>, with clocks of <paramref name="node"/>; returns how many. Only under the state row's lock.
    /// A table none of whose rows keeps metadata in <c>__liblim_rows</c> (a table replicated from now on) is adopted by
    /// one statement; otherwise the rows that do (shown with a projected reference, or written by a version that kept
    /// all metadata there) are told apart by key first, and left as they are.
    /// </summary>
    public async Task<int> AdoptAsync(ReplicatedTable table, long after, Guid node, bool async, CancellationToken ct)
    {
        var rows = session.Rows(table);
        if (!await rows.HasRowsWithoutMetadataAsync(async, ct).ConfigureAwait(false))
        {
            return 0;
        }

        var nodeText = node.ToString("N");
        await NumberNodesAsync([nodeText], async, ct).ConfigureAwait(false);
        var suffix = "." + session.Nodes.NumberOf(nodeText).ToString(CultureInfo.InvariantCulture);
        if (!await HasSeparateAsync(table.Name, async, ct).ConfigureAwait(false))
        {
            return await rows.AdoptAsync(after, suffix, only: null, async, ct).ConfigureAwait(false);
        }

        var keys = (await rows.ReadKeysWithoutMetadataAsync(async, ct).ConfigureAwait(false))
            .ToDictionary(k => table.EncodeKey(k), StringComparer.Ordinal);
        var separate = await ReadSeparateAsync(table.Name, keys.Keys, async, ct).ConfigureAwait(false);
        var adopted = 0;
        foreach (var chunk in keys.Where(k => !separate.ContainsKey(k.Key)).Select(k => k.Value)
                     .Chunk(Math.Max(1, session.Dialect.MaxParameters / table.KeyColumns.Count)))
        {
            adopted += await rows.AdoptAsync(after + adopted, suffix, chunk, async, ct).ConfigureAwait(false);
        }

        return adopted;
    }
}
