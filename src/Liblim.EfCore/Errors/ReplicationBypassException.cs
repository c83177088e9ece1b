namespace Liblim.EfCore;

/// <summary>
/// A command would have changed a replicated table without going through SaveChanges (ExecuteUpdate,
/// ExecuteDelete or raw SQL). Such writes would not be replicated, so they are refused before they run.
/// </summary>
public sealed class ReplicationBypassException : LiblimException
{
    /// <summary>Creates the exception.</summary>
    public ReplicationBypassException(string table, string source)
        : base($"{source} would change the replicated table '{table}' without recording the change, so other replicas would never see it. " +
               "Nothing was changed. Load the entities, change or remove them, and call SaveChanges instead.")
    {
        Table = table;
    }

    /// <summary>The replicated table the command would have written.</summary>
    public string Table { get; }
}
