using Liblim.EfCore.Cli;
using Liblim.EfCore.Cli.Commands;

// Every failure is one line on stderr and exit code 2; never a stack trace.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    return await Cli.RunAsync(args, Console.Out, cancel.Token).ConfigureAwait(false);
}
catch (CliException e)
{
    await Console.Error.WriteLineAsync($"liblim: {OneLine(e.Message)}").ConfigureAwait(false);
}
catch (OperationCanceledException)
{
    await Console.Error.WriteLineAsync("liblim: cancelled").ConfigureAwait(false);
}
#pragma warning disable CA1031 // the last resort: whatever it was, one line
catch (Exception e)
#pragma warning restore CA1031
{
    await Console.Error.WriteLineAsync($"liblim: unexpected error ({e.GetType().Name}): {OneLine(e.Message)}").ConfigureAwait(false);
}

return ExitCodes.Error;

static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
