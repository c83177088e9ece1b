namespace Liblim.EfCore.Cli;

/// <summary>
/// Something the command cannot do, said in one line for the user (no such file, not a Liblim database, an unknown table
/// or key, a server that cannot be reached): printed on stderr, without a stack trace, and the command exits with
/// <see cref="ExitCodes.Error"/>.
/// </summary>
internal sealed class CliException(string message, Exception? inner = null) : Exception(message, inner);

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
