using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Liblim.EfCore.Scopes.Internal;

/// <summary>
/// The rows a scope rule reads besides its own: the foreign keys of the reference navigations it follows from the entity
/// (<c>line.Order.ShopId</c> follows <c>Order</c>). When such a row changes, the rows that reference it may enter or leave
/// a peer's scope without changing themselves. Rules that read further (a navigation of a navigation, a collection) are
/// refused: their rows could change scope unseen.
/// </summary>
internal static class RuleNavigations
{
    /// <exception cref="InvalidOperationException">The rule follows a navigation other than one reference from the entity to a row it references by a one-column key.</exception>
    public static IReadOnlyList<IForeignKey> Of(LambdaExpression rule, IEntityType entityType)
    {
        var finder = new Finder(rule.Parameters[0], entityType);
        finder.Visit(rule.Body);
        return [.. finder.Found];
    }

    private sealed class Finder(ParameterExpression entity, IEntityType entityType) : ExpressionVisitor
    {
        public HashSet<IForeignKey> Found { get; } = [];

        protected override Expression VisitMember(MemberExpression node)
        {
            var navigation = node.Expression is null ? null : NavigationOf(node.Expression.Type, node.Member.Name);
            if (navigation is null)
            {
                return base.VisitMember(node);
            }

            if (node.Expression != entity || navigation.IsCollection || !navigation.IsOnDependent
                || navigation.ForeignKey.Properties.Count != 1 || !navigation.ForeignKey.PrincipalKey.IsPrimaryKey() || navigation.DeclaringEntityType.GetRootType() != entityType)
            {
                throw new InvalidOperationException(
                    $"The scope rule for {entityType.DisplayName()} follows '{navigation.DeclaringEntityType.DisplayName()}.{navigation.Name}': a rule may read " +
                    $"the entity's own properties, and those of a row it references through a reference navigation of its own with a one-column foreign key to its primary key (line.Order.ShopId).");
            }

            Found.Add(navigation.ForeignKey);
            return base.VisitMember(node);
        }

        private INavigation? NavigationOf(Type type, string name)
            => entityType.Model.FindEntityType(type)?.FindNavigation(name);
    }
}
