using Liblim.EfCore.Crdt;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;
using Liblim.EfCore.Writes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore.Capture.Internal;

/// <summary>
/// A local write made on a row's stored state rather than through EF (a held-back row EF cannot load, a conflict's
/// losing value written back): stamped and recorded as a SaveChanges would, then reconciled, so what the table shows
/// follows. Entities the context tracks are not refreshed.
/// </summary>
internal static class StoredRowWrite
{
    /// <param name="context">The context of the database written.</param>
    /// <param name="table">The row's table.</param>
    /// <param name="key">The row's key text.</param>
    /// <param name="refuse">Why the write may not be made on the row as stored (null when there is none: the row is not there); null when it may.</param>
    /// <param name="change">The row's new state, from its state and the write's timestamp.</param>
    /// <param name="ct">Cancels the write.</param>
    public static async Task WriteAsync(DbContext context, ReplicatedTable table, string key, Func<ShadowRow?, string?> refuse,
        Func<RowState, HybridTimestamp, RowState> change, CancellationToken ct)
    {
        var session = context.GetService<StoreSession>();
        var write = await ReplicaWrite.BeginAsync(context, async: true, ct).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            var values = new Dictionary<string, object?[]>(StringComparer.Ordinal);
            var stored = (await session.Shadow.ReadRowsAsync(table.Name, [key], async: true, ct, values).ConfigureAwait(false)).GetValueOrDefault(key);
            if (refuse(stored) is { } why)
            {
                throw new LiblimException(why);
            }

            var data = values.GetValueOrDefault(key);
            if (stored!.IsShown && data is null)
            {
                data = (await session.Rows(table).ReadAsync([key], table.DecodeKey, async: true, ct).ConfigureAwait(false)).GetValueOrDefault(key);
            }

            var state = RowStateCodec.Decode(table, stored, data);
            await write.ReserveAsync(1).ConfigureAwait(false);
            write.Change(table, change(state, write.Stamp()), stored, write.NextSeq(), source: null, data, dataKnown: stored.IsShown);
            await write.StoreAsync().ConfigureAwait(false);
            await write.CommitAsync().ConfigureAwait(false);
        }
    }
}
