using Liblim.EfCore.Storage.Internal;

namespace Liblim.EfCore.Projection;

/// <summary>
/// Where it is decided which rows are shown: a deterministic function of replicated states, so that replicas holding
/// the same states show the same rows. No database and no EF here; the caller adds the rows whose status may change
/// as nodes, and the rows they reference but whose status cannot change as fixed nodes.
/// </summary>
/// <remarks>
/// <para>A row is <b>eligible</b> when it and every row it reaches through holding references (non-null foreign keys
/// that are not SetNull) are alive. Eligible rows with equal values of a unique index compete; the best
/// <see cref="ClaimRank"/> keeps them. A row is <b>visible</b> when it and every row it reaches are eligible and keep
/// all their unique values. Both are greatest fixed points, so self-references and cycles of live rows are
/// shown. A visible row's non-holding (SetNull) references to rows that are not visible are projected: shown null.</para>
/// <para>A live row that is not visible is held back for the first reason in this order: a referenced row that is missing
/// or deleted, else one held back for such a reason further up (each in foreign key order); a unique value another row
/// keeps (in index order); a referenced row that is not visible. The row named is the one whose change may show it.</para>
/// </remarks>
internal sealed class VisibilityGraph
{
    private readonly List<Node> _nodes = [];

    /// <summary>Adds a row whose status is to be decided.</summary>
    /// <param name="exists">Whether the row has a replicated state.</param>
    /// <param name="alive">Whether the state is alive.</param>
    /// <param name="pinned">A row in its data table without replication state: shown as it is, whatever else holds.</param>
    public int AddRow(bool exists, bool alive, bool pinned = false)
    {
        _nodes.Add(new Node { Exists = exists || pinned, Alive = alive || pinned, Pinned = pinned });
        return _nodes.Count - 1;
    }

    /// <summary>
    /// The verdict for a row of a table with no foreign key either way and no unique index, which no other row can
    /// affect: what <see cref="Solve"/> gives for it as a node of its own, without building the graph.
    /// </summary>
    public static VisibilityVerdict Unrelated(bool exists, bool alive, bool pinned = false)
        => alive || pinned ? ShownAsItIs : exists ? DeadRow : MissingRow;

    private static readonly VisibilityVerdict ShownAsItIs = new(RowStatus.Visible, null, []);
    private static readonly VisibilityVerdict DeadRow = new(RowStatus.Dead, null, []);
    private static readonly VisibilityVerdict MissingRow = new(RowStatus.Missing, null, []);

    /// <summary>Adds a row whose status is known and does not change here.</summary>
    public int AddFixed(RowStatus status)
    {
        _nodes.Add(new Node { Fixed = status, Exists = status != RowStatus.Missing, Alive = status >= RowStatus.Ineligible });
        return _nodes.Count - 1;
    }

    /// <summary>Adds a reference from one row to another, in the row's foreign key order.</summary>
    /// <param name="row">The referencing row.</param>
    /// <param name="target">The referenced row.</param>
    /// <param name="foreignKey">The foreign key's ordinal in the referencing row's table.</param>
    /// <param name="holds">Whether the row is held back while the target is not visible (else projected).</param>
    public void AddReference(int row, int target, int foreignKey, bool holds)
        => _nodes[row].Links.Add(new Link(target, foreignKey, holds));

    /// <summary>Adds a row's claim to a unique value, in its table's index order.</summary>
    /// <param name="row">The row.</param>
    /// <param name="group">The identity of the value: table, index and values.</param>
    /// <param name="index">The index's ordinal in the row's table.</param>
    /// <param name="rank">The claim's strength; the lowest keeps the value.</param>
    public void AddClaim(int row, string group, int index, ClaimRank rank)
        => _nodes[row].Claims.Add(new Claim(group, index, rank));

    /// <summary>The verdict for every node, in the order they were added.</summary>
    public VisibilityVerdict[] Solve()
    {
        var eligible = _nodes.Select(n => n.Fixed is { } s ? s >= RowStatus.Eligible : n.Alive).ToArray();
        Refine(eligible, n => !n.Pinned, l => l.Holds);

        var keeper = new Dictionary<string, (int Row, ClaimRank Rank)>(StringComparer.Ordinal);
        for (var i = 0; i < _nodes.Count; i++)
        {
            if (!eligible[i] || _nodes[i].Fixed is not null)
            {
                continue;
            }

            foreach (var claim in _nodes[i].Claims)
            {
                if (!keeper.TryGetValue(claim.Group, out var best) || claim.Rank.CompareTo(best.Rank) < 0)
                {
                    keeper[claim.Group] = (i, claim.Rank);
                }
            }
        }

        bool Keeps(int i) => _nodes[i].Claims.All(c => keeper[c.Group].Row == i);
        var visible = _nodes.Select((n, i) => n.Fixed is { } s ? s == RowStatus.Visible : eligible[i] && (n.Pinned || Keeps(i))).ToArray();
        Refine(visible, n => !n.Pinned, l => l.Holds);

        var verdicts = new VisibilityVerdict[_nodes.Count];
        for (var i = 0; i < _nodes.Count; i++)
        {
            verdicts[i] = Verdict(i, eligible, visible, keeper);
        }

        return verdicts;
    }

    /// <summary>Turns flags off until every flagged, refinable node's followed links lead to flagged nodes: the greatest fixed point.</summary>
    private void Refine(bool[] flags, Func<Node, bool> refinable, Func<Link, bool> follow)
    {
        for (var changed = true; changed;)
        {
            changed = false;
            for (var i = 0; i < _nodes.Count; i++)
            {
                var node = _nodes[i];
                if (flags[i] && node.Fixed is null && refinable(node) && node.Links.Any(l => follow(l) && !flags[l.Target]))
                {
                    flags[i] = false;
                    changed = true;
                }
            }
        }
    }

    private VisibilityVerdict Verdict(int i, bool[] eligible, bool[] visible, Dictionary<string, (int Row, ClaimRank Rank)> keeper)
    {
        var node = _nodes[i];
        var status = StatusOf(i, eligible, visible);
        if (node.Fixed is not null || !node.Alive || node.Pinned)
        {
            return new VisibilityVerdict(status, null, []);
        }

        var links = node.Links.OrderBy(l => l.ForeignKey).ToList();
        if (!eligible[i])
        {
            // A missing or deleted parent says more than one held back for a reason further up: it is named first.
            var parent = links.Where(l => l.Holds && !eligible[l.Target])
                .OrderBy(l => StatusOf(l.Target, eligible, visible) <= RowStatus.Dead ? 0 : 1)
                .First().Target;
            var kind = StatusOf(parent, eligible, visible) switch
            {
                RowStatus.Missing => HoldKind.MissingParent,
                RowStatus.Dead => HoldKind.DeletedParent,
                _ => HoldKind.ParentHeldBack,
            };
            return new VisibilityVerdict(status, new HoldVerdict(kind, parent, null, Eligible: false), []);
        }

        if (node.Claims.OrderBy(c => c.Index).FirstOrDefault(c => keeper[c.Group].Row != i) is { Group: not null } lost)
        {
            return new VisibilityVerdict(status, new HoldVerdict(HoldKind.UniqueConflict, keeper[lost.Group].Row, lost.Index, Eligible: true), []);
        }

        if (!visible[i])
        {
            var parent = links.First(l => l.Holds && !visible[l.Target]).Target;
            return new VisibilityVerdict(status, new HoldVerdict(HoldKind.ParentHeldBack, parent, null, Eligible: true), []);
        }

        var projected = links.Where(l => !l.Holds && !visible[l.Target]).ToList();
        return projected.Count == 0
            ? new VisibilityVerdict(status, null, [])
            : new VisibilityVerdict(status, new HoldVerdict(HoldKind.Projected, projected[0].Target, null, Eligible: false), [.. projected.Select(l => l.ForeignKey)]);
    }

    private RowStatus StatusOf(int i, bool[] eligible, bool[] visible)
    {
        var node = _nodes[i];
        return node.Fixed ?? (visible[i] ? RowStatus.Visible
            : eligible[i] ? RowStatus.Eligible
            : node.Alive ? RowStatus.Ineligible
            : node.Exists ? RowStatus.Dead
            : RowStatus.Missing);
    }

    private sealed class Node
    {
        public RowStatus? Fixed { get; init; }

        public bool Exists { get; init; }

        public bool Alive { get; init; }

        public bool Pinned { get; init; }

        public List<Link> Links { get; } = [];

        public List<Claim> Claims { get; } = [];
    }

    private readonly record struct Link(int Target, int ForeignKey, bool Holds);

    private readonly record struct Claim(string Group, int Index, ClaimRank Rank);
}
