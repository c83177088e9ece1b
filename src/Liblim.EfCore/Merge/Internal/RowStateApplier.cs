using System.Collections.Immutable;
using System.Text.Json;
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
            var peer = batch.PeerNode.ToString("N");
            // Read under the write's lock, so that no collection runs between the read and the merge.
            var collected = await ScreenForAsync(metadata, batch, async, ct).ConfigureAwait(false);
            foreach (var byTable in states.GroupBy(s => s.Table))
            {
                if (session.Model.FindTable(byTable.Key) is not { } table)
                {
                    applied += await KeepAsync(write, session, byTable.Key, byTable, peer, collected, async, ct).ConfigureAwait(false);
                    continue;
                }

                var incoming = MergeDuplicates(table.Kind, byTable);
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

                var changes = new List<(RowState Merged, ShadowRow? Row, string? Source, object?[]? Data, bool DataKnown)>(incoming.Count);
                foreach (var (key, remote) in incoming)
                {
                    var data = values.GetValueOrDefault(key);
                    var row = existing.GetValueOrDefault(key);
                    var (merged, source, conflicts) = MergeInto(table, row, data, remote, peer, collected, journal: options.KeepConflicts > 0);
                    if (conflicts is not null)
                    {
                        write.Journal(table, key, conflicts); // also where this side's values all win, and the row stays as it is
                    }

                    if (merged is not null)
                    {
                        if (session.ConcurrentApply && row is null && !merged.IsAlive)
                        {
                            throw new ConcurrentApplyRefusedException();
                        }

                        var dataKnown = shownKeys.Contains(key) || (row is null && newKeysHaveNoRow && table.IsUnconstrained && merged.IsAlive);
                        changes.Add((merged, row, source, data, dataKnown));
                    }
                }

                await write.ReserveAsync(changes.Count).ConfigureAwait(false);
                foreach (var (merged, row, source, data, dataKnown) in changes)
                {
                    // A mix that a peer holding the row as it was here before would hold too: the feed can tell (RowUpdate).
                    write.Change(table, merged, row, write.NextSeq(), source, data, dataKnown, mergedFrom: source is null && row is not null ? peer : null);
                }

                applied += changes.Count;
            }

            // What is shown follows from the merged states: rows appear, leave, are held back or come back.
            write.Receive(remoteMax);
            if (batch.Watermark is { } watermark)
            {
                write.Watermark(batch.PeerNode, watermark);
            }

            var result = await write.StoreAsync().ConfigureAwait(false);
            await write.CommitAsync().ConfigureAwait(false);
            return new ApplyResult(states.Count, applied, result.Changed, result.HeldBack, write.NodeId) { Conflicts = write.Conflicts, Drew = write.HandedOut };
        }
    }

    /// <summary>
    /// What the batch's add tags are checked against (<see cref="CollectedTags"/>): what was collected here, for a peer
    /// that is rejoining or has not applied this feed as far as it has been collected; null for any other.
    /// </summary>
    private static async Task<CollectedTags?> ScreenForAsync(ShadowStore metadata, RemoteBatch batch, bool async, CancellationToken ct)
    {
        if (!batch.Rejoining && batch.PeerPosition is null)
        {
            return null;
        }

        return batch.Rejoining || batch.PeerPosition < await metadata.ReadCollectedSeqAsync(async, ct).ConfigureAwait(false)
            ? await metadata.ReadCollectedTagsAsync(async, ct).ConfigureAwait(false)
            : null;
    }

    /// <summary>
    /// A peer's state merged into the row stored here (<paramref name="table"/> null for a table the model lacks; null when
    /// nothing changes), with the peer it counts as taken from, and, when <paramref name="journal"/>, the columns it decided
    /// between concurrent writes (<see cref="RowConflicts"/>; null when none), which the row's own values may all have won. A state taken whole from the peer is not sent back to it
    /// (it has it); a mix is. A state the peer sent before, merged with what it sends now (whole or a live session's
    /// delta), is the peer's. With nothing here yet, merging with the empty state gives the peer's state, taken whole.
    /// From a rejoining peer, add tags that may have been collected here are dead first (<paramref name="collected"/>),
    /// and a state so changed is not the peer's: it goes back to it.
    /// </summary>
    internal static (RowState? Merged, string? Source, List<ColumnConflict>? Conflicts) MergeInto(
        ReplicatedTable? table, ShadowRow? row, object?[]? data, RowState remote, string peer, CollectedTags? collected, bool journal = false)
    {
        if (row is null)
        {
            var screened = collected?.Screen(remote, null) ?? remote;
            return (screened.IsEmpty ? null : screened, ReferenceEquals(screened, remote) ? peer : null, null);
        }

        // A shown row's values are in its data row: turned into JSON only where the merge compares them (a register the
        // peer holds at the same clock; every one of an insert-only row) or keeps them, not where the peer's later writes
        // replace them.
        var shown = row.IsShown && data is not null ? table : null;
        var local = RowStateCodec.Decode(table, row, data, sameClocksAs: shown is { Kind: not ReplicationKind.InsertOnly } ? remote : null);

        var theirs = collected?.Screen(remote, local) ?? remote;
        var merged = table?.Kind == ReplicationKind.InsertOnly ? RowMerge.MergeInsertOnly(local, theirs) : RowMerge.Merge(local, theirs);
        var conflicts = table is null || !journal ? null
            : RowConflicts.Between(local, theirs, shown is null ? null : name => RowStateCodec.DataValue(shown, data!, name));
        if (merged.SameAs(local))
        {
            return (null, null, conflicts);
        }

        var source = ReferenceEquals(theirs, remote) && (merged.SameAs(remote) || row.Source == peer) ? peer : null;
        return (shown is null ? merged : RowStateCodec.WithDataValues(shown, merged, data!), source, conflicts);
    }

    /// <summary>
    /// Keeps the states of a table this database's model does not have (a newer model's): merged as any state, stored
    /// whole in metadata rows, not shown, passed on to other peers, and shown once a migration adds the table
    /// (<see cref="NewerModelRows"/>). Returns how many rows changed.
    /// </summary>
    private static async Task<int> KeepAsync(ReplicaWrite write, StoreSession session, string table, IEnumerable<RowState> states, string peer, CollectedTags? collected, bool async, CancellationToken ct)
    {
        var incoming = MergeDuplicates(ReplicationKind.LastWriterWins, states);
        var existing = await session.Shadow.ReadRowsAsync(table, incoming.Keys.ToList(), async, ct).ConfigureAwait(false);
        var changes = new List<(RowState Merged, string? Source)>(incoming.Count);
        foreach (var (key, remote) in incoming)
        {
            if (MergeInto(null, existing.GetValueOrDefault(key), null, remote, peer, collected) is ({ } merged, var source, _))
            {
                changes.Add((merged, source));
            }
        }

        await write.ReserveAsync(changes.Count).ConfigureAwait(false);
        foreach (var (merged, source) in changes)
        {
            write.Store(RowStateCodec.Encode(null, merged, write.NextSeq()) with { Source = source });
        }

        return changes.Count;
    }

    /// <summary>
    /// Checks every state against the model and canonicalizes its values, keeping the model values it parses; throws
    /// before anything is written. A table or column the model does not have is a newer model's: its states and values
    /// are kept as the peer wrote them, once their form is checked.
    /// </summary>
    private static List<RowState> Validate(ReplicationModel model, RemoteBatch batch, ParsedValues parsed)
    {
        var result = new List<RowState>(batch.States.Count);
        foreach (var state in batch.States)
        {
            if (model.FindTable(state.Table) is not { } table)
            {
                result.Add(CheckedForNewerModel(batch, state));
                continue;
            }

            ParsedValues.Row row;
            try
            {
                var key = table.DecodeKey(state.Key);
                if (table.EncodeKey(key) is var canonical && canonical != state.Key)
                {
                    // Another text of the same values would name the row twice (docs/protocol.md, "Row id").
                    throw new FormatException($"{Shorten(state.Key)} is not in canonical form; its values' canonical key is {Shorten(canonical)}.");
                }

                row = parsed.Add(table, state.Key, key);
            }
            catch (FormatException e)
            {
                throw new RowStateException($"Peer {batch.PeerName} sent an invalid key for table '{table.Name}': {e.Message} Nothing from this batch was applied.", e);
            }

            ColumnMap.Builder? columns = null; // made when a value is not canonical
            var position = 0;
            foreach (var (name, value) in state.Columns)
            {
                var column = table.FindColumn(name, position++);
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

    private static string Shorten(string key) => key.Length <= 100 ? key : key[..100] + "...";

    /// <summary>A state of a table the model does not have: its key must be a JSON array, and each of its columns must have a value.</summary>
    private static RowState CheckedForNewerModel(RemoteBatch batch, RowState state)
    {
        try
        {
            using var key = JsonDocument.Parse(state.Key);
            if (key.RootElement.ValueKind != JsonValueKind.Array || key.RootElement.GetArrayLength() == 0)
            {
                throw new FormatException("a key is a JSON array of the key's values.");
            }
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new RowStateException($"Peer {batch.PeerName} sent an invalid key for table '{state.Table}': {e.Message} Nothing from this batch was applied.", e);
        }

        foreach (var (name, value) in state.Columns)
        {
            _ = value.Json ?? throw new RowStateException($"Peer {batch.PeerName} sent column '{name}' of table '{state.Table}' (row {state.Key}) without a value. Nothing from this batch was applied.");
        }

        return state;
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

    private static Dictionary<string, RowState> MergeDuplicates(ReplicationKind kind, IEnumerable<RowState> states)
    {
        var byKey = new Dictionary<string, RowState>(StringComparer.Ordinal);
        foreach (var state in states)
        {
            byKey[state.Key] = byKey.TryGetValue(state.Key, out var other)
                ? kind == ReplicationKind.InsertOnly ? RowMerge.MergeInsertOnly(other, state) : RowMerge.Merge(other, state)
                : state;
        }

        return byKey;
    }
}
