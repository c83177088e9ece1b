using Liblim.EfCore.Metadata.Internal;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Liblim.EfCore.Scopes.Internal;

/// <summary>A scope rule resolved against a model: its table, and the rows of other tables it reads (<see cref="RuleNavigations"/>).</summary>
internal sealed record TableRule(ScopeRule Rule, ReplicatedTable Table, IReadOnlyList<RuleDependency> Through);

/// <summary>A replicated table whose rows a rule reads through a reference: <paramref name="ForeignKey"/> of the rule's entity points at them.</summary>
internal sealed record RuleDependency(string PrincipalTable, IProperty ForeignKey);
