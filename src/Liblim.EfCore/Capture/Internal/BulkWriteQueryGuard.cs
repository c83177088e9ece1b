using System.Linq.Expressions;
using Liblim.EfCore.Metadata.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Liblim.EfCore.Capture.Internal;

/// <summary>
/// Refuses ExecuteUpdate and ExecuteDelete on a replicated entity when EF starts compiling the query, before it makes a
/// command: EF then has nothing to log as a failed command, and the app sees only <see cref="ReplicationBypassException"/>.
/// (<see cref="BulkWriteGuardInterceptor"/> stops raw SQL, and anything this does not see, at the command.)
/// </summary>
internal sealed class BulkWriteQueryGuard : IQueryExpressionInterceptor
{
    private const string Source = "ExecuteUpdate/ExecuteDelete";

    public Expression QueryCompilationStarting(Expression queryExpression, QueryExpressionEventData eventData)
    {
        if (eventData.Context is { } context && queryExpression is MethodCallExpression
            {
                Method.Name: nameof(EntityFrameworkQueryableExtensions.ExecuteUpdate) or nameof(EntityFrameworkQueryableExtensions.ExecuteDelete),
                Arguments: [var source, ..],
            }
            && source.Type.IsGenericType && source.Type.GetGenericArguments() is [var entity]
            && context.Model.FindEntityType(entity) is { } entityType
            && ReplicationModel.For(context.Model).FindMapping(entityType) is { } mapping)
        {
            throw new ReplicationBypassException(mapping.Table.TableName, Source);
        }

        return queryExpression;
    }
}
