namespace Liblim.EfCore.Metadata.Internal;

/// <summary>Names of the model annotations Liblim reads and writes, in one place.</summary>
internal static class LiblimAnnotationNames
{
    public const string Prefix = "Liblim:";

    /// <summary>On an entity type: its <see cref="ReplicationKind"/>; absent when not replicated.</summary>
    public const string Replicated = Prefix + "Replicated";

    /// <summary>On an entity type: its <see cref="UniqueConflictPolicy"/>; absent for the default.</summary>
    public const string UniqueConflict = Prefix + "UniqueConflict";

    /// <summary>Runtime annotation on the model: the <see cref="IValueStorage"/> of the database the model is for.</summary>
    public const string ValueStorage = Prefix + "ValueStorage";

    /// <summary>Runtime annotation on the model: the cached <see cref="ReplicationModel"/>.</summary>
    public const string ReplicationModel = Prefix + "ReplicationModel";
}
