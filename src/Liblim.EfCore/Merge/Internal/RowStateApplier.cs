using System.Collections.Immutable;
using Liblim.EfCore.Crdt;
using Liblim.EfCore.Infrastructure.Internal;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Projection;
using Liblim.EfCore.Storage.Internal;
using Liblim.EfCore.Writes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore.Merge.Internal;

/// <summary>
/// Applies a batch of remote row states to a database, atomically, in one <see cref="ReplicaWrite"/>: everything is
/// checked first (tables, columns, value types, clock drift), then local states are loaded in sets, merged, and only the
/// rows whose state changed are stored, with their origin's clocks; the write then brings the data tables in line with
/// the states (rows shown, hidden, held back). Applying is not a local change: nothing is stamped anew, but changed rows
/// get new feed positions so that they pass on to further peers.
/// </summary>
internal static class RowStateApplier
{
    /// <param name="context">The context of the database to apply to.</param>
    /// <param name="batch">The peer's states.</param>
    /// <param name="async">Whether to run the database work asynchronously.</param>
    /// <param name="ct">Cancels it.</param>
    /// <param name="newKeysHaveNoRow">
    /// Whether a key without metadata may be taken to have no data row either (a row stored before its table was
    /// replicated has one): a row of an unconstrained table that stays alive is then inserted without reading its key
    /// first. Were a row there after all, the insert fails, and the caller, having undone the attempt, applies the batch
    /// again without this.
    /// </param>
    public static async Task<ApplyResult> ApplyAsync(
        DbContext context, RemoteBatch batch, bool async, CancellationToken ct, bool newKeysHaveNoRow = false)
    {
        var session = context.GetService<StoreSession>();
        var options = session.Options;
        var parsed = new ParsedValues();
        var states = Validate(session.Model, batch, parsed);
        var remoteMax = CheckDrift(batch, states, options);

        var write = await ReplicaWrite.BeginAsync(context, async, ct, parsed: parsed).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            var metadata = session.Shadow;
            var applied = 0;
            foreach (var byTable in states.GroupBy(s => s.Table))
            {
                var table = session.Model.FindTable(byTable.Key)!;
                var incoming = MergeDuplicates(table, byTable);
                // A row shown as it is comes with its data row; a row shown with a projected reference is read after.
                var values = new Dictionary<string, object?[]>(StringComparer.Ordinal);
                var existing = await metadata.ReadRowsAsync(table.Name, incoming.Keys.ToList(), async, ct, values, k => parsed.Key(table, k)).ConfigureAwait(false);
                var shownKeys = incoming.Keys.Where(k => existing.TryGetValue(k, out var r) && r.IsShown).ToHashSet(StringComparer.Ordinal);
                var unread = shownKeys.Where(k => !values.ContainsKey(k)).ToList();
                if (unread.Count > 0)
                {
                    // The incoming key texts, whose values checking parsed, rather than the equal texts read back.
                    foreach (var (key, data) in await session.Rows(table).ReadAsync(unread, k => parsed.Key(table, k), async, ct).ConfigureAwait(false))
                    {
                        values[key] = data;
                    }
                }

                var peer = batch.PeerNode.ToString("N");
                foreach (var (key, remote) in incoming)
                {
                    var data = values.GetValueOrDefault(key);
                    RowState merged;
                    string? source;
                    if (existing.TryGetValue(key, out var row))
                    {
                        var local = RowStateCodec.Decode(table, row, data);
                        merged = table.Kind == ReplicationKind.InsertOnly ? RowMerge.MergeInsertOnly(local, remote) : RowMerge.Merge(local, remote);
                        if (merged.SameAs(local))
                        {
                            continue;
                        }

                        // A state taken whole from the peer is not sent back to it (it has it); a mix is. A state the
                        // peer sent before, merged with what it sends now (whole or a live session's delta), is the peer's.
                        source = merged.SameAs(remote) || row.Source == peer ? peer : null;
                    }
                    else if (remote.IsEmpty)
                    {
                        continue;
                    }
                    else
                    {
                        // Nothing here yet: merging with the empty state gives the peer's state, taken whole.
                        merged = remote;
                        source = peer;
                    }

                    var dataKnown = shownKeys.Contains(key) || (row is null && newKeysHaveNoRow && table.IsUnconstrained && merged.IsAlive);
                    // A mix that a peer holding the row as it was here before would hold too: the feed can tell (RowUpdate).
                    write.Change(table, merged, row, write.NextSeq(), source, data, dataKnown, mergedFrom: source is null && row is not null ? peer : null);
                    applied++;
                }
            }

            // What is shown follows from the merged states: rows appear, leave, are held back or come back.
            write.Receive(remoteMax);
            if (batch.Watermark is { } watermark)
            {
                write.Watermark(batch.PeerNode, watermark);
            }

            var result = await write.StoreAsync().ConfigureAwait(false);
            await write.CommitAsync().ConfigureAwait(false);
            return new ApplyResult(states.Count, applied, result.Changed, result.HeldBack, write.NodeId);
        }
    }

    /// <summary>
    /// Checks every state against the model and canonicalizes its values, keeping the model values it parses; throws
    /// before anything is written.
    /// </summary>
    private static List<RowState> Validate(ReplicationModel model, RemoteBatch batch, ParsedValues parsed)
    {
        var result = new List<RowState>(batch.States.Count);
        foreach (var state in batch.States)
        {
            var table = model.FindTable(state.Table)
                ?? throw new RowStateException($"Peer {batch.PeerName} sent a row of table '{state.Table}', which is not a replicated table here. Nothing from this batch was applied.");
            ParsedValues.Row row;
            try
            {
                row = parsed.Add(table, state.Key, table.DecodeKey(state.Key));
            }
            catch (FormatException e)
            {
                throw new RowStateException($"Peer {batch.PeerName} sent an invalid key for table '{table.Name}': {e.Message} Nothing from this batch was applied.", e);
            }

            ImmutableSortedDictionary<string, ColumnValue>.Builder? columns = null; // made when a value is not canonical
            foreach (var (name, value) in state.Columns)
            {
                var column = table.FindColumn(name);
                if (column is not null && table.KeyColumns.Contains(column))
                {
                    throw new RowStateException($"Peer {batch.PeerName} sent key column '{name}' of table '{table.Name}' as a value. Nothing from this batch was applied.");
                }

                if (column is null)
                {
                    // A column of a newer model: its register is kept as the peer wrote it, merged and passed on, and shown
                    // once a migration adds the column here (RowStateCodec.Encode).
                    _ = value.Json ?? throw new RowStateException($"Peer {batch.PeerName} sent column '{name}' of table '{table.Name}' (row {state.Key}) without a value. Nothing from this batch was applied.");
                    continue;
                }

                try
                {
                    var json = value.Json ?? throw new FormatException("the value is missing.");
                    var canonical = column.Canonicalize(json, out var modelValue);
                    if (ReferenceEquals(canonical, json))
                    {
                        row.Add(column, json, modelValue);
                    }
                    else
                    {
                        (columns ??= state.Columns.ToBuilder())[name] = value with { Json = canonical };
                    }
                }
                catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
                {
                    throw new RowStateException($"Peer {batch.PeerName} sent a value for '{table.Name}.{name}' (row {state.Key}) that does not fit its type: {e.Message} Nothing from this batch was applied.", e);
                }
            }

            result.Add(columns is null ? state : state with { Columns = columns.ToImmutable() });
        }

        return result;
    }

    /// <summary>Refuses states stamped too far ahead of this node's clock; returns the greatest ticks of any state (0 when none).</summary>
    private static long CheckDrift(RemoteBatch batch, List<RowState> states, LiblimOptionsExtension options)
    {
        var now = options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var greatest = 0L;
        foreach (var state in states)
        {
            if (state.MaxClock is not { } max)
            {
                continue;
            }

            if (max.PhysicalMilliseconds - now > options.MaxClockDrift.TotalMilliseconds)
            {
                throw new ClockDriftException(batch.PeerName, max.Node, TimeSpan.FromMilliseconds(max.PhysicalMilliseconds - now), options.MaxClockDrift);
            }

            greatest = Math.Max(greatest, max.Ticks);
        }

        return greatest;
    }

    private static Dictionary<string, RowState> MergeDuplicates(ReplicatedTable table, IEnumerable<RowState> states)
    {
        var byKey = new Dictionary<string, RowState>(StringComparer.Ordinal);
        foreach (var state in states)
        {
            byKey[state.Key] = byKey.TryGetValue(state.Key, out var other)
                ? table.Kind == ReplicationKind.InsertOnly ? RowMerge.MergeInsertOnly(other, state) : RowMerge.Merge(other, state)
                : state;
        }

        return byKey;
    }
}
