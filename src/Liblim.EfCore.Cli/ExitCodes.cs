namespace Liblim.EfCore.Cli;

/// <summary>The command's exit codes, as diff(1) has them.</summary>
internal static class ExitCodes
{
    /// <summary>Done; for diff: the replicas have converged.</summary>
    public const int Ok = 0;

    /// <summary>diff: the replicas differ.</summary>
    public const int Differ = 1;

    /// <summary>The command could not do what was asked (the reason is on stderr).</summary>
    public const int Error = 2;
}
