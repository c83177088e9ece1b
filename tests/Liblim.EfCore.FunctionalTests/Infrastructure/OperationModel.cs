using Liblim.EfCore.Crdt;

namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>
/// The semantics, stated independently of the implementation: every write is an operation; a replica knows
/// the operations it made or received (a two-way sync leaves both knowing the union); a column shows the
/// value of the latest write to it; a row is alive while some insert of it is not observed by a delete. A database
/// put back to a copy knows what it knew when the copy was made.
/// </summary>
internal sealed class OperationModel(int replicas)
{
    private readonly List<Op> _ops = [];
    private readonly HashSet<int>[] _known = [.. Enumerable.Range(0, replicas).Select(_ => new HashSet<int>())];

    private sealed record Op(Guid Key, HybridTimestamp? At, bool IsInsert, bool IsDelete, IReadOnlyDictionary<string, object> Values, IReadOnlySet<HybridTimestamp> Observed);

    public void Insert(int replica, Guid key, HybridTimestamp at, string title, int priority, bool done)
        => Add(replica, new Op(key, at, true, false, new Dictionary<string, object> { ["Title"] = title, ["Priority"] = priority, ["Done"] = done }, new HashSet<HybridTimestamp>()));

    public void Update(int replica, Guid key, HybridTimestamp at, Dictionary<string, object> values)
        => Add(replica, new Op(key, at, false, false, values, new HashSet<HybridTimestamp>()));

    public void Delete(int replica, Guid key)
        => Add(replica, new Op(key, null, false, true, new Dictionary<string, object>(), LiveTags(_known[replica], key)));

    public void Sync(int a, int b)
    {
        _known[a].UnionWith(_known[b]);
        _known[b].UnionWith(_known[a]);
    }

    public List<Guid> KnownDeadKeys(int replica)
        => [.. _known[replica].Select(i => _ops[i].Key).Distinct().Where(k => LiveTags(_known[replica], k).Count == 0).OrderBy(k => k)];

    /// <summary>What a copy of the replica's database made now would know.</summary>
    public IReadOnlySet<int> Backup(int replica) => _known[replica].ToHashSet();

    /// <summary>The replica's database put back to a copy: it knows what it knew then.</summary>
    public void Restore(int replica, IReadOnlySet<int> backup) => _known[replica] = [.. backup];

    /// <summary>The rows every replica shows once all have synced: each operation some replica still knows.</summary>
    public List<string> Expected()
    {
        var all = _known.SelectMany(k => k).ToHashSet();
        var result = new List<string>();
        foreach (var key in all.Select(i => _ops[i].Key).Distinct().OrderBy(k => k))
        {
            if (LiveTags(all, key).Count == 0)
            {
                continue;
            }

            string Latest(string column) => all.Select(i => _ops[i]).Where(o => o.Key == key && o.At is not null && o.Values.ContainsKey(column))
                .MaxBy(o => o.At!.Value)!.Values[column].ToString()!;
            result.Add($"{key} {Latest("Title")} {Latest("Priority")} {Latest("Done")}");
        }

        return result;
    }

    private void Add(int replica, Op op)
    {
        _ops.Add(op);
        _known[replica].Add(_ops.Count - 1);
    }

    private HashSet<HybridTimestamp> LiveTags(IEnumerable<int> known, Guid key)
    {
        var ops = known.Select(i => _ops[i]).Where(o => o.Key == key).ToList();
        var tags = ops.Where(o => o.IsInsert).Select(o => o.At!.Value).ToHashSet();
        tags.ExceptWith(ops.Where(o => o.IsDelete).SelectMany(o => o.Observed));
        return tags;
    }
}
