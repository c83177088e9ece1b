using Microsoft.EntityFrameworkCore.Metadata;

namespace Liblim.EfCore.Metadata.Internal;

/// <summary>Whether a model is built with Liblim's conventions, which <c>UseLiblim()</c> adds.</summary>
internal static class LiblimModel
{
    /// <summary>
    /// Liblim's conventions add its shadow tables when the model is initialized, before <c>OnModelCreating</c>; a model
    /// without them belongs to a context whose options lack <c>UseLiblim()</c>. Configuring replication there would be
    /// ignored: the entity would not be replicated, and a migration made from the model would drop Liblim's tables.
    /// </summary>
    /// <exception cref="ReplicationModelException">The model is not built with Liblim's conventions.</exception>
    public static void EnsureUsed(IReadOnlyEntityType entityType, string call)
    {
        if (entityType.Model.FindEntityType(typeof(ReplicaState)) is null)
        {
            throw new ReplicationModelException(
                $"{entityType.DisplayName()}.{call}() is configured in a model whose context does not call UseLiblim(): the entity would " +
                "not be replicated, and a migration made from this model would drop Liblim's tables. Call UseLiblim() after " +
                "UseSqlite/UseNpgsql in the context's options, in OnConfiguring, AddDbContext and any design-time factory alike.");
        }
    }
}
