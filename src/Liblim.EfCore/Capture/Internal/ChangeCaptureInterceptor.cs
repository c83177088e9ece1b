using System.Data.Common;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Liblim.EfCore.Capture.Internal;

/// <summary>
/// Records every SaveChanges on replicated entities in the same transaction as the data. Just before EF makes its
/// commands (<see cref="CaptureBatchExecutor"/>), once every SaveChanges interceptor (the app's too) has run and EF has
/// detected its last changes, Liblim looks at the rows EF is about to write: when replicated rows are among them it
/// opens the transaction (or joins the app's), prepares the row states while the old values are still readable, and
/// gives each inserted row that keeps its metadata in its data row that metadata, for EF's statement to write; after EF
/// succeeds the rest is written and the transaction commits. A SaveChanges of other rows only is left to EF. A failed
/// or cancelled SaveChanges rolls back the transaction Liblim opened, leaving no metadata behind.
/// <para>
/// In a transaction Liblim opened, EF would take it for the app's and put its writes in a savepoint of their own
/// (<c>AutoSavepointsEnabled</c>), which on SQLite copies every page they change into a journal first: about a tenth
/// of a SaveChanges of 1,000 rows. Such a savepoint undoes nothing the rollback of Liblim's transaction would not, so
/// it is turned off for that SaveChanges and put back as it was after.
/// </para>
/// <para>
/// In the app's own transaction (when the app lets EF make savepoints, as it does by default), Liblim makes the savepoint
/// itself, before EF's commands, in place of EF's (which EF releases before its SavedChanges, so before the
/// metadata is written), and rolls back to it when the SaveChanges fails, recording the metadata included: an app that
/// commits its transaction after a failed SaveChanges never commits data rows without their metadata.
/// </para>
/// </summary>
/// <remarks>Registered by UseLiblim as a scoped service: one instance per context.</remarks>
internal sealed class ChangeCaptureInterceptor : SaveChangesInterceptor
{
    private const string Savepoint = "liblim_savechanges";

    private OwnedTransaction? _started;
    private PendingCapture? _pending;
    private IDbContextTransaction? _appTransaction;
    private (DatabaseFacade Database, bool Enabled)? _autoSavepoints;

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Abandon(async: false).GetAwaiter().GetResult();
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await Abandon(async: true).ConfigureAwait(false);
        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Commit(eventData.Context, async: false, default).GetAwaiter().GetResult();
        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        await Commit(eventData.Context, async: true, cancellationToken).ConfigureAwait(false);
        return result;
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Abandon(async: false).GetAwaiter().GetResult();

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default) => Abandon(async: true);

    public override void SaveChangesCanceled(DbContextEventData eventData) => Abandon(async: false).GetAwaiter().GetResult();

    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default) => Abandon(async: true);

    /// <summary>
    /// Before EF makes the commands of a SaveChanges (<see cref="CaptureBatchExecutor"/>): when replicated rows change,
    /// begins the transaction data and metadata will share (or Liblim's savepoint in the app's) and prepares the capture.
    /// An earlier attempt of the same SaveChanges (an execution strategy's) is rolled back first.
    /// </summary>
    public async Task PrepareAsync(DbContext context, bool async, CancellationToken ct)
    {
        await Abandon(async).ConfigureAwait(false);
        if (ChangeCapture.Detected(context) is not { } changes)
        {
            return;
        }

        var started = _started = await OwnedTransaction.BeginWriteAsync(context, async, ct).ConfigureAwait(false);
        var app = started.IsOwned ? null : context.Database.CurrentTransaction;
        if (app is { SupportsSavepoints: true } && context.Database.AutoSavepointsEnabled)
        {
            await (async ? app.CreateSavepointAsync(Savepoint, ct) : Sync(() => app.CreateSavepoint(Savepoint))).ConfigureAwait(false);
            _appTransaction = app;
        }

        if (started.IsOwned || _appTransaction is not null)
        {
            // Liblim's transaction, or Liblim's savepoint in the app's: EF's own savepoint would undo nothing more.
            _autoSavepoints = (context.Database, context.Database.AutoSavepointsEnabled);
            context.Database.AutoSavepointsEnabled = false;
        }

        _started = null; // the capture owns it now, and disposes it if it fails
        _pending = await ChangeCapture.PrepareAsync(context, changes, started, async, ct).ConfigureAwait(false);
    }

    private async Task Commit(DbContext? context, bool async, CancellationToken ct)
    {
        RestoreAutoSavepoints();
        var pending = _pending;
        _pending = null;
        try
        {
            if (pending is not null && context is not null)
            {
                await ChangeCapture.CommitAsync(pending, ct).ConfigureAwait(false);
            }
        }
        catch
        {
            await TryUndoAppSavepointAsync(async).ConfigureAwait(false);
            throw;
        }

        await EndAppSavepointAsync(rollBack: false, async).ConfigureAwait(false);
    }

    private async Task Abandon(bool async)
    {
        RestoreAutoSavepoints();
        if (_started is { } started)
        {
            _started = null;
            await started.DisposeAsync().ConfigureAwait(false);
        }

        var pending = _pending;
        _pending = null;
        if (pending is not null)
        {
            await ChangeCapture.AbandonAsync(pending).ConfigureAwait(false);
        }

        await TryUndoAppSavepointAsync(async).ConfigureAwait(false);
    }

    /// <summary>Rolls back to the savepoint in the app's transaction, if any, after a failure: a failure of its own does not hide the first.</summary>
    private async Task TryUndoAppSavepointAsync(bool async)
    {
        try
        {
            await EndAppSavepointAsync(rollBack: true, async).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
            // The connection or the app's transaction is gone: nothing of the SaveChanges can be committed anyway.
        }
    }

    /// <summary>Releases the savepoint marked in the app's transaction, after rolling back to it when the SaveChanges failed.</summary>
    private async Task EndAppSavepointAsync(bool rollBack, bool async)
    {
        if (_appTransaction is not { } app)
        {
            return;
        }

        _appTransaction = null;
        if (rollBack)
        {
            await (async ? app.RollbackToSavepointAsync(Savepoint) : Sync(() => app.RollbackToSavepoint(Savepoint))).ConfigureAwait(false);
        }

        await (async ? app.ReleaseSavepointAsync(Savepoint) : Sync(() => app.ReleaseSavepoint(Savepoint))).ConfigureAwait(false);
    }

    private static Task Sync(Action action)
    {
        action();
        return Task.CompletedTask;
    }

    private void RestoreAutoSavepoints()
    {
        if (_autoSavepoints is { } saved)
        {
            _autoSavepoints = null;
            saved.Database.AutoSavepointsEnabled = saved.Enabled;
        }
    }
}
