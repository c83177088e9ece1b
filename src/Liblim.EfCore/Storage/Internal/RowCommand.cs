using System.Data.Common;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// One statement executed once per row, prepared on first use, its parameters created once and given each row's
/// values: how rows are written where <see cref="SqlDialect.WritesRowAtATime"/>.
/// </summary>
internal sealed class RowCommand : IDisposable
{
    private readonly DbCommand _command;
    private bool _prepared;

    /// <param name="command">The command, its text set; its parameters are added by the caller, in order.</param>
    public RowCommand(DbCommand command) => _command = command;

    /// <summary>The statement's parameters, in the order they were added.</summary>
    public DbParameterCollection Parameters => _command.Parameters;

    public DbCommand Command => _command;

    /// <summary>Executes the statement with the parameters' current values.</summary>
    public async Task<int> ExecuteAsync(bool async, CancellationToken ct)
    {
        if (!_prepared)
        {
            if (async)
            {
                await _command.PrepareAsync(ct).ConfigureAwait(false);
            }
            else
            {
                _command.Prepare();
            }

            _prepared = true;
        }

        return await StoreSession.ExecuteAsync(_command, async, ct).ConfigureAwait(false);
    }

    public void Dispose() => _command.Dispose();
}
