using System.Linq.Expressions;
using System.Reflection;
using Liblim.EfCore.Metadata.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;

namespace Liblim.EfCore.Scopes.Internal;

/// <summary>One entity's rule of <see cref="LiblimScopes"/>: which of its rows a peer receives.</summary>
internal abstract class ScopeRule
{
    /// <summary>The entity the rule is for.</summary>
    public abstract Type EntityType { get; }

    /// <summary>Whether every row is visible to every peer (<see cref="LiblimScopes.ReadOnly{TEntity}"/>).</summary>
    public abstract bool IsEverything { get; }

    /// <summary>
    /// The canonical keys of the rows of <paramref name="table"/> at feed positions after <paramref name="since"/> and up to
    /// <paramref name="through"/> that the rule shows <paramref name="peer"/>: one query through the feed's index, in the
    /// context's transaction. Rows kept outside their table (deleted, held back) are not among them.
    /// </summary>
    public abstract Task<HashSet<string>> VisibleKeysAsync(
        DbContext context, ReplicatedTable table, LiblimPeer peer, long since, long through, CancellationToken ct);

    /// <summary>The foreign keys of the references the rule reads through (<see cref="RuleNavigations"/>).</summary>
    public abstract IReadOnlyList<IForeignKey> Navigations(IEntityType entityType);

    /// <summary>
    /// The keys of the rows of <paramref name="table"/> at feed positions up to <paramref name="through"/> whose
    /// <paramref name="foreignKey"/> holds one of <paramref name="principalKeys"/> (model values), and of those the ones the
    /// rule shows <paramref name="peer"/>. Rows further on in the feed are decided when their own page goes.
    /// </summary>
    public abstract Task<(HashSet<string> All, HashSet<string> Visible)> DependentsAsync(
        DbContext context, ReplicatedTable table, LiblimPeer peer, IProperty foreignKey, IReadOnlyList<object> principalKeys, long through, CancellationToken ct);

    /// <summary>Of the given keys of <paramref name="table"/>, those whose rows are in the table, and of those the ones the rule shows <paramref name="peer"/>.</summary>
    public abstract Task<(HashSet<string> All, HashSet<string> Visible)> ShownAsync(
        DbContext context, ReplicatedTable table, LiblimPeer peer, IReadOnlyCollection<string> keys, CancellationToken ct);
}

/// <inheritdoc />
/// <param name="rule">The rule; null for every row.</param>
internal sealed class ScopeRule<TEntity>(Expression<Func<TEntity, LiblimPeer, bool>>? rule) : ScopeRule
    where TEntity : class
{
    private static readonly MethodInfo PropertyMethod = typeof(EF).GetMethod(nameof(EF.Property))!;

    public override Type EntityType => typeof(TEntity);

    public override bool IsEverything => rule is null;

    public override async Task<HashSet<string>> VisibleKeysAsync(
        DbContext context, ReplicatedTable table, LiblimPeer peer, long since, long through, CancellationToken ct)
    {
        var rows = context.Set<TEntity>().AsNoTracking()
            .Where(e => EF.Property<long?>(e, RowMetadataNames.Seq) > since && EF.Property<long?>(e, RowMetadataNames.Seq) <= through);
        if (rule is not null)
        {
            rows = rows.Where(ForPeer(rule, peer));
        }

        return await KeysAsync(rows, table, ct).ConfigureAwait(false);
    }

    public override IReadOnlyList<IForeignKey> Navigations(IEntityType entityType)
        => rule is null ? [] : RuleNavigations.Of(rule, entityType);

    public override Task<(HashSet<string> All, HashSet<string> Visible)> DependentsAsync(
        DbContext context, ReplicatedTable table, LiblimPeer peer, IProperty foreignKey, IReadOnlyList<object> principalKeys, long through, CancellationToken ct)
        => AllAndVisibleAsync(context.Set<TEntity>().AsNoTracking()
            .Where(In(foreignKey.Name, foreignKey.ClrType, principalKeys))
            .Where(e => EF.Property<long?>(e, RowMetadataNames.Seq) <= through), table, peer, ct);

    public override Task<(HashSet<string> All, HashSet<string> Visible)> ShownAsync(
        DbContext context, ReplicatedTable table, LiblimPeer peer, IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        var rows = context.Set<TEntity>().AsNoTracking();
        if (table.KeyColumns.Count == 1)
        {
            var key = table.KeyColumns[0].Property;
            return AllAndVisibleAsync(rows.Where(In(key.Name, key.ClrType, [.. keys.Select(k => table.DecodeKey(k)[0]!)])), table, peer, ct);
        }

        // A composite key: one condition per key, each a conjunction of its columns.
        var entity = Expression.Parameter(typeof(TEntity), "e");
        var any = keys.Select(k => table.DecodeKey(k))
            .Select(values => table.KeyColumns.Select((c, i) => (Expression)Expression.Equal(
                    Expression.Call(PropertyMethod.MakeGenericMethod(c.Property.ClrType), entity, Expression.Constant(c.Property.Name)),
                    Expression.Constant(values[i], c.Property.ClrType)))
                .Aggregate(Expression.AndAlso))
            .Aggregate((Expression)Expression.Constant(false), Expression.OrElse);
        return AllAndVisibleAsync(rows.Where(Expression.Lambda<Func<TEntity, bool>>(any, entity)), table, peer, ct);
    }

    /// <summary>The keys of <paramref name="rows"/>, and of those the ones the rule shows the peer: one query, which reads the rule's verdict with each key.</summary>
    private async Task<(HashSet<string> All, HashSet<string> Visible)> AllAndVisibleAsync(IQueryable<TEntity> rows, ReplicatedTable table, LiblimPeer peer, CancellationToken ct)
    {
        if (rule is null)
        {
            var all = await KeysAsync(rows, table, ct).ConfigureAwait(false);
            return (all, all);
        }

        var (keys, visible) = (new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));
        var count = table.KeyColumns.Count;
        await foreach (var values in rows.Select(KeyOf(table, ForPeer(rule, peer))).AsAsyncEnumerable().WithCancellation(ct).ConfigureAwait(false))
        {
            var key = table.EncodeKey(values.AsSpan(0, count));
            keys.Add(key);
            if (values[count] is true)
            {
                visible.Add(key);
            }
        }

        return (keys, visible);
    }

    private static async Task<HashSet<string>> KeysAsync(IQueryable<TEntity> rows, ReplicatedTable table, CancellationToken ct)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var values in rows.Select(KeyOf(table)).AsAsyncEnumerable().WithCancellation(ct).ConfigureAwait(false))
        {
            keys.Add(table.EncodeKey(values));
        }

        return keys;
    }

    /// <summary><c>e =&gt; values.Contains(e.Property)</c>, the values a parameter of the query.</summary>
    private static Expression<Func<TEntity, bool>> In(string propertyName, Type type, IReadOnlyList<object> values)
    {
        var list = (System.Collections.IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(type))!;
        foreach (var value in values)
        {
            list.Add(value);
        }

        var holder = Activator.CreateInstance(typeof(ValuesHolder<>).MakeGenericType(type), list)!;
        var entity = Expression.Parameter(typeof(TEntity), "e");
        var property = Expression.Call(PropertyMethod.MakeGenericMethod(type), entity, Expression.Constant(propertyName));
        var contains = Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [type], Expression.Property(Expression.Constant(holder), "Values"), property);
        return Expression.Lambda<Func<TEntity, bool>>(contains, entity);
    }

    /// <summary>
    /// The rule for one peer: the peer parameter becomes a member of a holder, not a constant, so that EF evaluates what the
    /// rule reads of the peer (<c>peer.Claim("shop")</c>) into parameters, and caches one query for every peer.
    /// </summary>
    private static Expression<Func<TEntity, bool>> ForPeer(Expression<Func<TEntity, LiblimPeer, bool>> rule, LiblimPeer peer)
    {
        var holder = Expression.Property(Expression.Constant(new PeerHolder(peer)), nameof(PeerHolder.Peer));
        var body = ReplacingExpressionVisitor.Replace(rule.Parameters[1], holder, rule.Body);
        return Expression.Lambda<Func<TEntity, bool>>(body, rule.Parameters[0]);
    }

    /// <summary>The key values of an entity, in the table's key order; then, where a <paramref name="verdict"/> is given, what it says of the entity.</summary>
    private static Expression<Func<TEntity, object?[]>> KeyOf(ReplicatedTable table, Expression<Func<TEntity, bool>>? verdict = null)
    {
        var entity = verdict?.Parameters[0] ?? Expression.Parameter(typeof(TEntity), "e");
        var values = table.KeyColumns.Select(c => (Expression)Expression.Convert(
            Expression.Call(PropertyMethod.MakeGenericMethod(c.Property.ClrType), entity, Expression.Constant(c.Property.Name)),
            typeof(object)));
        if (verdict is not null)
        {
            values = values.Append(Expression.Convert(verdict.Body, typeof(object)));
        }

        return Expression.Lambda<Func<TEntity, object?[]>>(Expression.NewArrayInit(typeof(object), values), entity);
    }

    private sealed record PeerHolder(LiblimPeer Peer);
}

/// <summary>Values a query reads as a parameter: a member of a holder, not a constant the query would be compiled for.</summary>
internal sealed record ValuesHolder<T>(List<T> Values);
