using Liblim.EfCore.Crdt;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore.Scopes.Internal;

/// <summary>
/// Whether a peer served by scope may write the rows of a batch: a row it may write is in its scope before the write (if
/// it was in its table) and after it (if it is still there). Entities without a rule, and <c>ReadOnly</c> ones, take no
/// writes. Read before the batch is applied (<see cref="BeforeAsync"/>), judged after (<see cref="RefuseAfterAsync"/>).
/// </summary>
internal sealed class WriteCheck
{
    private readonly PeerScope _scope;
    private readonly Dictionary<string, (HashSet<string> All, HashSet<string> Visible)> _before = new(StringComparer.Ordinal);

    private WriteCheck(PeerScope scope) => _scope = scope;

    /// <summary>The writes refused so far, with why.</summary>
    public List<(RowState State, RefusedWrite Refusal)> Refused { get; } = [];

    /// <summary>
    /// Reads what the peer may see of the batch's rows before it is applied, and refuses what no rule lets it write. In a
    /// concurrent apply (<see cref="StoreSession.ConcurrentApply"/>) the rows are locked first, as applying them locks
    /// them: what is judged here is what the batch is merged into.
    /// </summary>
    public static async Task<WriteCheck> BeforeAsync(DbContext context, PeerScope scope, IReadOnlyList<RowState> states, CancellationToken ct)
    {
        var check = new WriteCheck(scope);
        foreach (var state in states.Where(s => scope.FindTable(context, s.Table) is null))
        {
            check.Refused.Add((state, new RefusedWrite(state.Table, state.Key,
                $"This server's model has no table '{state.Table}', and it takes writes to a table only where a scope rule names it.")));
        }

        foreach (var (table, rows) in check.ByTable(context, states))
        {
            var rule = scope.RuleFor(context, table);
            if (rule is null || rule.Rule.IsEverything)
            {
                var reason = rule is null
                    ? $"This server lets no peer write {table.EntityName}: no scope rule names it."
                    : $"This server lets peers read {table.EntityName} but not write it.";
                check.Refused.AddRange(rows.Select(s => (s, new RefusedWrite(table.Name, s.Key, reason))));
                continue;
            }

            var keys = rows.Select(s => s.Key).Distinct(StringComparer.Ordinal).ToList();
            if (context.GetService<StoreSession>() is { ConcurrentApply: true } session)
            {
                // A key with no metadata here has no row to judge: a new row is judged after the write. (A data row stored
                // without metadata fails the write that inserts the key, and the batch goes again under the lock.)
                var stored = await session.Shadow.ReadRowsAsync(table.Name, keys, async: true, ct).ConfigureAwait(false);
                keys = [.. keys.Where(stored.ContainsKey)];
            }

            check._before[table.Name] = keys.Count == 0 ? ([], [])
                : await rule.Rule.ShownAsync(context, table, scope.Peer, keys, ct).ConfigureAwait(false);
        }

        return check;
    }

    /// <summary>The states not refused yet.</summary>
    public List<RowState> Allowed(IReadOnlyList<RowState> states)
    {
        var refused = Refused.Select(r => r.State).ToHashSet(ReferenceEqualityComparer.Instance);
        return [.. states.Where(s => !refused.Contains(s))];
    }

    /// <summary>After <paramref name="applied"/> were applied: refuses those whose row was, or is now, outside the peer's scope; whether it refused any.</summary>
    public async Task<bool> RefuseAfterAsync(DbContext context, IReadOnlyList<RowState> applied, CancellationToken ct)
    {
        var any = false;
        foreach (var (table, rows) in ByTable(context, applied))
        {
            var before = _before[table.Name];
            var rule = _scope.RuleFor(context, table)!;
            var after = await rule.Rule.ShownAsync(context, table, _scope.Peer, [.. rows.Select(s => s.Key)], ct).ConfigureAwait(false);
            foreach (var state in rows)
            {
                var reason = before.All.Contains(state.Key) && !before.Visible.Contains(state.Key)
                    ? $"This server does not let this peer write that {table.EntityName}: it is not in the peer's scope."
                    : after.All.Contains(state.Key) && !after.Visible.Contains(state.Key)
                        ? $"This server does not let this peer write that {table.EntityName}: the write would put it outside the peer's scope."
                        : null;
                if (reason is not null)
                {
                    Refused.Add((state, new RefusedWrite(table.Name, state.Key, reason)));
                    any = true;
                }
            }
        }

        return any;
    }

    /// <summary>
    /// Once the allowed writes are applied: the refused writes whose row the peer may see here (it is in the table and in
    /// the peer's scope), to be answered with this database's row made to win (<see cref="Corrections"/>), and the others,
    /// rows the peer may not hold at all, which it is told to forget.
    /// </summary>
    public async Task<(List<RowState> Correct, List<(string Table, string Key)> Forget)> AnswersAsync(DbContext context, CancellationToken ct)
    {
        var correct = new List<RowState>();
        var forget = new List<(string Table, string Key)>();
        foreach (var (table, rows) in ByTable(context, [.. Refused.Select(r => r.State)]))
        {
            var rule = _scope.RuleFor(context, table);
            var keys = rows.Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
            var visible = rule is null ? [] : (await rule.Rule.ShownAsync(context, table, _scope.Peer, keys, ct).ConfigureAwait(false)).Visible;
            visible.UnionWith(await _scope.ReferencedAsync(context, table, keys, ct).ConfigureAwait(false)); // rows it holds as references
            correct.AddRange(rows.Where(s => visible.Contains(s.Key)));
            forget.AddRange(keys.Where(k => !visible.Contains(k)).Select(k => (table.Name, k)));
        }

        return (correct, forget);
    }

    private IEnumerable<(ReplicatedTable Table, List<RowState> Rows)> ByTable(DbContext context, IReadOnlyList<RowState> states)
        => states.GroupBy(s => s.Table, StringComparer.Ordinal)
            .Select(g => (Table: _scope.FindTable(context, g.Key), Rows: g.ToList()))
            .Where(g => g.Table is not null)
            .Select(g => (g.Table!, g.Rows));
}
