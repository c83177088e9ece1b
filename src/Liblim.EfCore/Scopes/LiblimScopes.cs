using System.Linq.Expressions;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Scopes.Internal;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Liblim.EfCore;

/// <summary>
/// Which rows a server sends each peer, and which it lets each peer write: a rule per replicated entity, over the entity
/// and the peer (its claims). With no rule at all, every peer reads and writes every row. Once there is one rule, an
/// entity without a rule is sent to no one and written by no one: a new entity stays private until the app says who may
/// read it.
/// </summary>
/// <remarks>
/// A rule is an expression EF Core translates to SQL (<c>(order, peer) =&gt; order.ShopId == peer.Claim("shop")</c>,
/// navigations included), so choosing a peer's rows is a query on the feed's index, never a scan in C#. A peer writes only
/// rows that are in its scope before and after the write; its other writes are refused and undone (docs/semantics.md,
/// "Scopes").
/// </remarks>
public sealed class LiblimScopes
{
    private readonly Dictionary<Type, ScopeRule> _rules = [];
    private Resolved? _resolved; // one reference, read and replaced whole by concurrent sessions

    /// <summary>Whether no rule is set: every peer then receives every row.</summary>
    public bool IsEmpty => _rules.Count == 0;

    /// <summary>A peer receives, and may write, the rows of <typeparamref name="TEntity"/> for which <paramref name="rule"/> holds.</summary>
    /// <exception cref="ArgumentException">The entity has a rule already.</exception>
    public LiblimScopes Scope<TEntity>(Expression<Func<TEntity, LiblimPeer, bool>> rule)
        where TEntity : class
    {
        ArgumentNullException.ThrowIfNull(rule);
        return Add(new ScopeRule<TEntity>(rule));
    }

    /// <summary>Every peer receives every row of <typeparamref name="TEntity"/>, and none may write it.</summary>
    /// <exception cref="ArgumentException">The entity has a rule already.</exception>
    public LiblimScopes ReadOnly<TEntity>()
        where TEntity : class
        => Add(new ScopeRule<TEntity>(null));

    /// <summary>The rules by the replicated table they choose rows of, in a context's model.</summary>
    /// <exception cref="InvalidOperationException">
    /// A rule is for an entity that is not replicated, or not the root of its table's entities, or reads rows it cannot
    /// (<see cref="RuleNavigations"/>).
    /// </exception>
    internal IReadOnlyDictionary<string, TableRule> ByTable(IModel model)
    {
        if (_resolved is { } resolved && ReferenceEquals(resolved.Model, model))
        {
            return resolved.ByTable;
        }

        var replication = ReplicationModel.For(model);
        var byTable = new Dictionary<string, TableRule>(StringComparer.Ordinal);
        foreach (var rule in _rules.Values)
        {
            var entityType = model.FindEntityType(rule.EntityType);
            var mapping = entityType is null ? null : replication.FindMapping(entityType);
            if (mapping is null)
            {
                throw new InvalidOperationException($"Scope rule for {rule.EntityType.Name}: it is not a replicated entity of this model. Rules are for entities marked IsReplicated().");
            }

            if (entityType!.BaseType is not null || !mapping.IsPrincipal)
            {
                throw new InvalidOperationException($"Scope rule for {rule.EntityType.Name}: its rows are in table '{mapping.Table.Name}' of {mapping.Table.EntityName}; give the rule to {mapping.Table.EntityName}.");
            }

            var through = rule.Navigations(entityType)
                .Select(fk => (replication.FindMapping(fk.PrincipalEntityType)?.Table.Name, fk.Properties[0]))
                .Where(d => d.Item1 is not null)
                .Select(d => new RuleDependency(d.Item1!, d.Item2))
                .ToList();
            byTable[mapping.Table.Name] = new TableRule(rule, mapping.Table, through);
        }

        _resolved = new Resolved(model, byTable);
        return byTable;
    }

    private LiblimScopes Add(ScopeRule rule)
    {
        if (!_rules.TryAdd(rule.EntityType, rule))
        {
            throw new ArgumentException($"{rule.EntityType.Name} has a scope rule already: give each entity one rule (combine conditions with || in it).");
        }

        return this;
    }

    private sealed record Resolved(IModel Model, IReadOnlyDictionary<string, TableRule> ByTable);
}
