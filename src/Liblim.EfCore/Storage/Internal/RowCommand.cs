using System.Data.Common;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// One statement executed once per row, its parameters created once and given each row's values: how rows are written
/// where <see cref="SqlDialect.WritesRowAtATime"/>. On first use it is prepared; where the database can, also below the
/// command (<see cref="SqlDialect.PrepareBelowCommand"/>), which then runs every row whose values it takes, without a
/// command execution per row; the command runs the others.
/// </summary>
internal sealed class RowCommand : IDisposable
{
    private readonly SqlDialect _dialect;
    private readonly DbCommand _command;
    private IRowStatement? _handle;
    private bool _started;
    private bool _prepared;

    /// <param name="dialect">The database's dialect.</param>
    /// <param name="command">The command, its text set; its parameters are added by the caller, in order.</param>
    public RowCommand(SqlDialect dialect, DbCommand command)
    {
        _dialect = dialect;
        _command = command;
    }

    /// <summary>The statement's parameters, in the order they were added.</summary>
    public DbParameterCollection Parameters => _command.Parameters;

    public DbCommand Command => _command;

    /// <summary>Executes the statement with the parameters' current values; returns the number of rows it changed.</summary>
    public async Task<int> ExecuteAsync(bool async, CancellationToken ct)
    {
        if (!_started)
        {
            _handle = _dialect.PrepareBelowCommand(_command);
            _started = true;
        }

        if (_handle is not null && _handle.TryExecute(_command.Parameters, out var changed))
        {
            return changed;
        }

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

    public void Dispose()
    {
        _handle?.Dispose();
        _command.Dispose();
    }
}
