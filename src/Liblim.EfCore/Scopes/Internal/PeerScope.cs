using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore.Scopes.Internal;

/// <summary>
/// The rows one peer of a session receives: the server's <see cref="LiblimScopes"/> applied to that peer. Null where the
/// server has no rules (every row goes).
/// </summary>
internal sealed class PeerScope
{
    private readonly LiblimScopes _scopes;

    private PeerScope(LiblimScopes scopes, LiblimPeer peer)
    {
        _scopes = scopes;
        Peer = peer;
    }

    public LiblimPeer Peer { get; }

    /// <summary>
    /// Where the peer's first sync starts with nothing of this database's (position 0, no row held): up to this position,
    /// each row is judged by its own page, and a page reads only the rows the rules show the peer, by a query. Null otherwise.
    /// </summary>
    public long? FreshThrough { get; set; }

    /// <summary>Whether a page that ends at <paramref name="through"/> is part of a first sync from nothing (<see cref="FreshThrough"/>).</summary>
    public bool IsFresh(long through) => through <= FreshThrough;

    /// <summary>
    /// For a page of a first sync from nothing: the keys of a table's rows in the page that the peer may see, found by the
    /// rule's query, so that the others are not read at all; null where it may see every row (<c>ReadOnly</c>).
    /// </summary>
    public async Task<IReadOnlyCollection<string>?> FreshKeysAsync(DbContext context, ReplicatedTable table, long since, long through, CancellationToken ct)
        => RuleFor(context, table) switch
        {
            null => [],
            { Rule.IsEverything: true } => null,
            var rule => await rule.Rule.VisibleKeysAsync(context, table, Peer, since, through, ct).ConfigureAwait(false),
        };

    public static PeerScope? For(LiblimScopes? scopes, LiblimPeer peer) => scopes is null || scopes.IsEmpty ? null : new(scopes, peer);

    /// <summary>
    /// What the peer gets of <paramref name="rows"/>, the rows of <paramref name="table"/> in a page of the feed after
    /// <paramref name="since"/> and up to <paramref name="through"/>: those its rule shows it, whole; of those it holds
    /// (<c>__liblim_peer_rows</c>) and may no longer see, the tombstones of a deleted row and an eviction of a live one.
    /// A table without a rule gives nothing, <see cref="LiblimScopes.ReadOnly{TEntity}"/> everything.
    /// </summary>
    public async Task<ScopedRows> SelectAsync(
        DbContext context, ReplicatedTable table, IReadOnlyList<ShadowRow> rows, long since, long through, CancellationToken ct)
    {
        var tableRule = RuleFor(context, table);
        if (tableRule is { Rule.IsEverything: true })
        {
            return ScopedRows.All;
        }

        // A table no rule names shows nothing; the peer may still hold rows of it that it wrote (refused, then corrected).
        var visible = tableRule is null ? new HashSet<string>(StringComparer.Ordinal)
            : await tableRule.Rule.VisibleKeysAsync(context, table, Peer, since, through, ct).ConfigureAwait(false);
        var hidden = rows.Where(r => !visible.Contains(r.Key)).ToList();
        var held = await context.GetService<StoreSession>().Shadow
            .ReadPeerRowsAsync(PeerId, table.Name, [.. hidden.Select(r => r.Key)], async: true, ct).ConfigureAwait(false);

        // A row the peer holds as a reference of a row it may see stays, and goes on changing there.
        var references = await ReferencedAsync(context, table, [.. hidden.Where(r => r.IsAlive && held.Contains(r.Key)).Select(r => r.Key)], ct).ConfigureAwait(false);
        visible.UnionWith(references);
        var selected = new ScopedRows(visible, [], [], []);
        foreach (var row in hidden.Where(r => held.Contains(r.Key) && !references.Contains(r.Key)))
        {
            if (row.IsAlive)
            {
                selected.Evicted.Add(row.Key);
            }
            else
            {
                selected.Tombstones.Add(row.Key);
            }

            selected.Left.Add(row.Key);
        }

        return selected;
    }

    /// <summary>
    /// The rows a rule reads other rows through (<c>line.Order.ShopId</c>), not in the page themselves, whose visibility the
    /// page's changes of those rows may have changed: by table, those the peer may now see and does not hold (to send whole),
    /// and those it holds and may no longer see (to evict).
    /// </summary>
    /// <param name="context">The context whose snapshot the page was read in.</param>
    /// <param name="page">The page's rows, by table.</param>
    /// <param name="through">The page's last feed position.</param>
    /// <param name="ct">Cancels it.</param>
    public async Task<List<(ReplicatedTable Table, ScopedRows Rows)>> SelectDependentsAsync(
        DbContext context, IReadOnlyDictionary<string, List<ShadowRow>> page, long through, CancellationToken ct)
    {
        var session = context.GetService<StoreSession>();
        var selected = new List<(ReplicatedTable, ScopedRows)>();
        foreach (var tableRule in _scopes.ByTable(context.Model).Values.Where(r => r.Through.Count > 0))
        {
            var all = new HashSet<string>(StringComparer.Ordinal);
            var visible = new HashSet<string>(StringComparer.Ordinal);
            foreach (var dependency in tableRule.Through)
            {
                if (!page.TryGetValue(dependency.PrincipalTable, out var principals) || session.Model.FindTable(dependency.PrincipalTable) is not { } principal)
                {
                    continue;
                }

                var (rows, shown) = await tableRule.Rule.DependentsAsync(context, tableRule.Table, Peer, dependency.ForeignKey,
                    [.. principals.Select(r => principal.DecodeKey(r.Key)[0]!)], through, ct).ConfigureAwait(false);
                all.UnionWith(rows);
                visible.UnionWith(shown);
            }

            if (page.TryGetValue(tableRule.Table.Name, out var own))
            {
                all.ExceptWith(own.Select(r => r.Key)); // the page's own rows of the table are decided by themselves
            }

            if (all.Count == 0)
            {
                continue;
            }

            var held = await session.Shadow.ReadPeerRowsAsync(PeerId, tableRule.Table.Name, all, async: true, ct).ConfigureAwait(false);
            var evicted = all.Where(k => held.Contains(k) && !visible.Contains(k)).ToList();
            var entering = all.Where(k => !held.Contains(k) && visible.Contains(k)).ToHashSet(StringComparer.Ordinal);
            selected.Add((tableRule.Table, new ScopedRows(entering, [], evicted, evicted)));
        }

        return selected;
    }

    /// <summary>
    /// Of the given rows of <paramref name="table"/>, those that a row the peer may see references (by a replicated
    /// one-column foreign key): the peer holds them as that row's references (<c>ChangeFeed</c> sends them with it).
    /// </summary>
    public async Task<HashSet<string>> ReferencedAsync(DbContext context, ReplicatedTable table, IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return referenced;
        }

        var session = context.GetService<StoreSession>();
        foreach (var fk in table.ReferencedBy.Where(fk => fk.Columns.Count == 1))
        {
            var rule = RuleFor(context, fk.Dependent);
            if (rule is null)
            {
                continue; // no peer sees a row of a table without a rule
            }

            var dependents = await session.Rows(fk.Dependent).ReadWhereAsync(fk.Columns, [.. keys.Select(table.DecodeKey)], async: true, ct).ConfigureAwait(false);
            var shown = rule.Rule.IsEverything || dependents.Count == 0 ? dependents.Keys.ToHashSet(StringComparer.Ordinal)
                : (await rule.Rule.ShownAsync(context, fk.Dependent, Peer, dependents.Keys, ct).ConfigureAwait(false)).Visible;
            foreach (var (key, row) in dependents.Where(d => shown.Contains(d.Key)))
            {
                if (fk.PrincipalKey(row) is { } principal)
                {
                    referenced.Add(principal);
                }
            }
        }

        return referenced;
    }

    /// <summary>The rule for a table; null when none names it.</summary>
    public TableRule? RuleFor(DbContext context, ReplicatedTable table) => _scopes.ByTable(context.Model).GetValueOrDefault(table.Name);

    /// <summary>A replicated table by name; null when the model has none (the batch's validation says so).</summary>
    public ReplicatedTable? FindTable(DbContext context, string table) => context.GetService<StoreSession>().Model.FindTable(table);

    /// <summary>The peer's node id as <c>__liblim_peer_rows</c> holds it.</summary>
    public string PeerId => Peer.NodeId.ToString("N");
}
