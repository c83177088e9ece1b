using Liblim.EfCore.Cli.Inspection;
using Liblim.EfCore.Crdt;
using Liblim.EfCore.Storage.Internal;
using Liblim.EfCore.Sync.Internal;

namespace Liblim.EfCore.Cli.Comparison;

/// <summary>
/// Whether two replicas hold the same replicated state for every row of every replicated table, and which rows differ.
/// Each replica's rows are read whole, as its change feed gives them to a peer (<see cref="ChangeFeed"/>: shown rows from
/// their tables, the others from <c>__liblim_rows</c>), a page at a time in one snapshot; of the first only a digest per
/// row is kept (<see cref="StateDigest"/>, 32 bytes), against which the second's rows are checked as they stream by. Only
/// the rows listed are read again, to say what differs. A deleted row one replica still keeps and the other has collected
/// (docs/semantics.md, "Collecting deleted rows") is no difference: it is counted apart, by the library's own rule of what
/// a replica has collected (<see cref="CollectedTags"/>).
/// </summary>
internal static class ReplicaDiff
{
    private const int PageSize = 2000;

    public static async Task<DiffReport> RunAsync(InspectedReplica a, InspectedReplica b, ValueForms forms, int limit, CancellationToken ct)
    {
        var collectedInA = await a.ReadAsync(session => session.Shadow.ReadCollectedTagsAsync(async: true, ct), ct).ConfigureAwait(false);
        var collectedInB = await b.ReadAsync(session => session.Shadow.ReadCollectedTagsAsync(async: true, ct), ct).ConfigureAwait(false);
        var digest = new StateDigest(forms);
        var digestsOfA = new Dictionary<UInt128, UInt128>();
        var deletedInACollectedInB = new HashSet<UInt128>();
        var rowsA = await StreamAsync(a, state =>
        {
            var key = StateDigest.Key(state.Table, state.Key);
            digestsOfA[key] = digest.Of(state);
            if (IsCollectedIn(collectedInB, state))
            {
                deletedInACollectedInB.Add(key);
            }
        }, ct).ConfigureAwait(false);

        var (onlyInB, differ) = (new Found(limit), new Found(limit));
        long collectedOnlyInA = 0;
        var rowsB = await StreamAsync(b, state =>
        {
            if (!digestsOfA.Remove(StateDigest.Key(state.Table, state.Key), out var ofA))
            {
                if (IsCollectedIn(collectedInA, state))
                {
                    collectedOnlyInA++;
                }
                else
                {
                    onlyInB.Add(state);
                }
            }
            else if (ofA != digest.Of(state))
            {
                differ.Add(state);
            }
        }, ct).ConfigureAwait(false);

        // What is left of A's digests is only in A: its rows are found again only when some are to be listed.
        var collectedOnlyInB = digestsOfA.Keys.LongCount(deletedInACollectedInB.Contains);
        var onlyInA = new Found(limit) { Count = digestsOfA.Count - collectedOnlyInB };
        if (onlyInA.Count > 0 && limit > 0)
        {
            await StreamAsync(a, state =>
            {
                var key = StateDigest.Key(state.Table, state.Key);
                if (onlyInA.Rows.Count < limit && digestsOfA.ContainsKey(key) && !deletedInACollectedInB.Contains(key))
                {
                    onlyInA.Rows.Add((state.Table, state.Key));
                }
            }, ct).ConfigureAwait(false);
        }

        var listed = new List<RowDifference>();
        listed.AddRange(onlyInA.Rows.Select(r => new RowDifference(r.Table, r.Key, DifferenceKind.OnlyInA, [])));
        listed.AddRange(onlyInB.Rows.Select(r => new RowDifference(r.Table, r.Key, DifferenceKind.OnlyInB, [])));
        listed.AddRange(await DescribeAsync(a, b, forms, differ.Rows, ct).ConfigureAwait(false));
        return new DiffReport(a.Address.Display, b.Address.Display, rowsA, rowsB, onlyInA.Count, onlyInB.Count, differ.Count, collectedOnlyInA, collectedOnlyInB,
            [.. listed.OrderBy(d => d.Table, StringComparer.Ordinal).ThenBy(d => d.Key, StringComparer.Ordinal).Take(limit)]);
    }

    /// <summary>
    /// Whether a deleted row is one the other replica has collected: each of its tombstoned tags is one that replica takes
    /// as collected, as it would were a peer to send it the row alive (<see cref="CollectedTags.Screen"/>).
    /// </summary>
    private static bool IsCollectedIn(CollectedTags collected, RowState state)
        => !state.IsAlive && !state.Tombstones.IsEmpty
           && collected.Screen(new RowState(state.Table, state.Key, ColumnMap.Empty, state.Tombstones, []), local: null).AddTags.IsEmpty;

    /// <summary>Gives every row state of a replica, read from its change feed from the start, in one snapshot; returns how many.</summary>
    private static Task<long> StreamAsync(InspectedReplica replica, Action<RowState> each, CancellationToken ct) => replica.ReadAsync(async _ =>
    {
        // A node id no row came whole from: the feed leaves out nothing.
        var reader = Guid.NewGuid();
        long since = 0, rows = 0;
        while (true)
        {
            var page = await ChangeFeed.ReadAsync(replica.Context, since, through: null, PageSize, reader, baseline: null, scope: null, async: true, ct, inspecting: true).ConfigureAwait(false);
            foreach (var state in page.States)
            {
                each(state);
                rows++;
            }

            if (page.Last <= since || page.Last >= page.Head)
            {
                return rows;
            }

            since = page.Last;
        }
    }, ct);

    /// <summary>What differs in each of the rows, read again from both replicas by key.</summary>
    private static async Task<List<RowDifference>> DescribeAsync(InspectedReplica a, InspectedReplica b, ValueForms forms,
        List<(string Table, string Key)> rows, CancellationToken ct)
    {
        var described = new List<RowDifference>();
        foreach (var table in rows.GroupBy(r => r.Table))
        {
            var keys = table.Select(r => r.Key).ToList();
            var inA = await ReadStatesAsync(a, table.Key, keys, ct).ConfigureAwait(false);
            var inB = await ReadStatesAsync(b, table.Key, keys, ct).ConfigureAwait(false);
            foreach (var key in keys)
            {
                var details = inA.TryGetValue(key, out var ofA) && inB.TryGetValue(key, out var ofB)
                    ? Compare(ofA, ofB, forms)
                    : []; // changed while being compared, or of a table one replica's schema lacks
                described.Add(new RowDifference(table.Key, key, DifferenceKind.Differs, details));
            }
        }

        return described;
    }

    private static Task<Dictionary<string, (ShadowRow Row, RowState State)>> ReadStatesAsync(InspectedReplica replica, string table, List<string> keys, CancellationToken ct)
        => replica.ReadAsync(async session => session.Model.FindTable(table) is { } replicated
            ? await session.Shadow.ReadStatesAsync(replicated, keys, async: true, ct).ConfigureAwait(false)
            : [], ct);

    /// <summary>What differs between two states of a row: its existence, its tags, and each column's value and clock.</summary>
    private static List<DifferenceDetail> Compare((ShadowRow Row, RowState State) a, (ShadowRow Row, RowState State) b, ValueForms forms)
    {
        var details = new List<DifferenceDetail>();
        if (a.State.IsAlive != b.State.IsAlive)
        {
            details.Add(new DifferenceDetail("existence", null, Existence(a.Row), Existence(b.Row)));
        }

        if (!a.State.AddTags.SetEquals(b.State.AddTags))
        {
            details.Add(new DifferenceDetail("addTags", null, string.Join(",", a.State.AddTags), string.Join(",", b.State.AddTags)));
        }

        if (!a.State.Tombstones.SetEquals(b.State.Tombstones))
        {
            details.Add(new DifferenceDetail("tombstones", null, string.Join(",", a.State.Tombstones), string.Join(",", b.State.Tombstones)));
        }

        var table = a.State.Table;
        foreach (var column in a.State.Columns.Keys.Union(b.State.Columns.Keys).Order(StringComparer.Ordinal))
        {
            var inA = a.State.Columns.TryGetValue(column, out var ofA);
            var inB = b.State.Columns.TryGetValue(column, out var ofB);
            if (!inA || !inB)
            {
                details.Add(new DifferenceDetail("column", column, inA ? ofA.Json : null, inB ? ofB.Json : null));
                continue;
            }

            if (forms.Of(table, column, ofA.Json) != forms.Of(table, column, ofB.Json))
            {
                details.Add(new DifferenceDetail("value", column, ofA.Json, ofB.Json));
            }

            if (ofA.Clock != ofB.Clock)
            {
                details.Add(new DifferenceDetail("clock", column, ofA.Clock.ToString(), ofB.Clock.ToString()));
            }
            else if (ofA.Prior != ofB.Prior)
            {
                details.Add(new DifferenceDetail("prior", column, ofA.Prior?.ToString(), ofB.Prior?.ToString()));
            }
        }

        if (a.State.IsAlive && b.State.IsAlive && a.Row.IsHeldBack != b.Row.IsHeldBack)
        {
            details.Add(new DifferenceDetail("shown", null, Existence(a.Row), Existence(b.Row)));
        }

        return details;
    }

    private static string Existence(ShadowRow row)
        => !row.IsAlive ? "deleted" : row.IsHeldBack ? $"held back ({row.Hold!.Kind})" : "alive";

    /// <summary>Rows found in one category: how many, and the first of them, up to the limit.</summary>
    private sealed class Found(int limit)
    {
        public long Count { get; set; }

        public List<(string Table, string Key)> Rows { get; } = [];

        public void Add(RowState state)
        {
            Count++;
            if (Rows.Count < limit)
            {
                Rows.Add((state.Table, state.Key));
            }
        }
    }
}
