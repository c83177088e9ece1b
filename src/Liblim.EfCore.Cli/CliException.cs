namespace Liblim.EfCore.Cli;

/// <summary>
/// Something the command cannot do, said in one line for the user (no such file, not a Liblim database, an unknown table
/// or key, a server that cannot be reached): printed on stderr, without a stack trace, and the command exits with
/// <see cref="ExitCodes.Error"/>.
/// </summary>
internal sealed class CliException(string message, Exception? inner = null) : Exception(message, inner);
