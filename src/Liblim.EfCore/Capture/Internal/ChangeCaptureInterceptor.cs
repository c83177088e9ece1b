using System.Data.Common;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore.Capture.Internal;

/// <summary>
/// Records every SaveChanges on replicated entities in the same transaction as the data. When a SaveChanges with changes
/// starts (of replicated rows or not: a later interceptor of the app's may add a replicated one), Liblim opens the
/// transaction; just before EF's first command, once every SaveChanges interceptor (the app's too) has
/// run and EF has detected its last changes, the row states are prepared, while the old values are still readable; after
/// EF succeeds they are written and the transaction commits. A failed or cancelled SaveChanges rolls back the
/// transaction Liblim opened, leaving no metadata behind.
/// <para>
/// In a transaction Liblim opened, EF would take it for the app's and put its writes in a savepoint of their own
/// (<c>AutoSavepointsEnabled</c>), which on SQLite copies every page they change into a journal first: about a tenth
/// of a SaveChanges of 1,000 rows. Such a savepoint undoes nothing the rollback of Liblim's transaction would not, so
/// it is turned off for that SaveChanges and put back as it was after.
/// </para>
/// </summary>
/// <remarks>Registered by UseLiblim as a scoped service: one instance per context.</remarks>
internal sealed class ChangeCaptureInterceptor : SaveChangesInterceptor, IDbCommandInterceptor
{
    private OwnedTransaction? _started;
    private PendingCapture? _pending;
    private (DatabaseFacade Database, bool Enabled)? _autoSavepoints;

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Begin(eventData.Context, async: false, default).GetAwaiter().GetResult();
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await Begin(eventData.Context, async: true, cancellationToken).ConfigureAwait(false);
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

    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Prepare(eventData, async: false, default).GetAwaiter().GetResult();
        return result;
    }

    public async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await Prepare(eventData, async: true, cancellationToken).ConfigureAwait(false);
        return result;
    }

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Prepare(eventData, async: false, default).GetAwaiter().GetResult();
        return result;
    }

    public async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await Prepare(eventData, async: true, cancellationToken).ConfigureAwait(false);
        return result;
    }

    public InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Prepare(eventData, async: false, default).GetAwaiter().GetResult();
        return result;
    }

    public async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        await Prepare(eventData, async: true, cancellationToken).ConfigureAwait(false);
        return result;
    }

    private async Task Begin(DbContext? context, bool async, CancellationToken ct)
    {
        await Abandon(async).ConfigureAwait(false);
        if (context is not null)
        {
            _started = await ChangeCapture.BeginAsync(context, async, ct).ConfigureAwait(false);
            if (_started is { IsOwned: true })
            {
                _autoSavepoints = (context.Database, context.Database.AutoSavepointsEnabled);
                context.Database.AutoSavepointsEnabled = false;
            }
        }
    }

    /// <summary>At the first command of a SaveChanges that <see cref="Begin"/> opened a transaction for: prepares the capture.</summary>
    private async Task Prepare(CommandEventData eventData, bool async, CancellationToken ct)
    {
        if (_started is not { } transaction || eventData.CommandSource != CommandSource.SaveChanges || eventData.Context is not { } context)
        {
            return;
        }

        _started = null;
        _pending = await ChangeCapture.PrepareAsync(context, transaction, async, ct).ConfigureAwait(false);
    }

    private async Task Commit(DbContext? context, bool async, CancellationToken ct)
    {
        RestoreAutoSavepoints();
        if (_started is { } started)
        {
            // EF sent no command: nothing was written, nothing to record.
            _started = null;
            await started.CommitAsync(ct).ConfigureAwait(false);
            await started.DisposeAsync().ConfigureAwait(false);
        }

        var pending = _pending;
        _pending = null;
        if (pending is not null && context is not null)
        {
            await ChangeCapture.CommitAsync(pending, ct).ConfigureAwait(false);
        }
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
