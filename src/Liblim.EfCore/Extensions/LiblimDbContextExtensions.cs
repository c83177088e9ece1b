using Liblim.EfCore;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Reaches a context's replication facade.</summary>
public static class LiblimDbContextExtensions
{
    /// <summary>Replication for this context: its node id, and sync with other replicas.</summary>
    /// <exception cref="LiblimException">The context does not use Liblim.</exception>
    public static LiblimFacade Liblim(this DbContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new LiblimFacade(context);
    }
}
