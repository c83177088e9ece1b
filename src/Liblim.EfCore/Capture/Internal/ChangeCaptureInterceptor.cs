using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Liblim.EfCore.Capture.Internal;

/// <summary>
/// Records every SaveChanges on replicated entities in the same transaction as the data: the row states are
/// prepared before EF writes (while the old values are still readable) and written after it succeeds. A
/// failed or cancelled SaveChanges rolls back the transaction Liblim opened, leaving no metadata behind.
/// </summary>
/// <remarks>Registered by UseLiblim as a scoped service: one instance per context.</remarks>
internal sealed class ChangeCaptureInterceptor : SaveChangesInterceptor
{
    private PendingCapture? _pending;

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Prepare(eventData.Context, async: false, default).GetAwaiter().GetResult();
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await Prepare(eventData.Context, async: true, cancellationToken).ConfigureAwait(false);
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

    private async Task Prepare(DbContext? context, bool async, CancellationToken ct)
    {
        await Abandon(async).ConfigureAwait(false);
        if (context is not null)
        {
            _pending = await ChangeCapture.PrepareAsync(context, async, ct).ConfigureAwait(false);
        }
    }

    private async Task Commit(DbContext? context, bool async, CancellationToken ct)
    {
        var pending = _pending;
        _pending = null;
        if (pending is not null && context is not null)
        {
            await ChangeCapture.CommitAsync(context, pending, async, ct).ConfigureAwait(false);
        }
    }

    private async Task Abandon(bool async)
    {
        var pending = _pending;
        _pending = null;
        if (pending is not null)
        {
            await ChangeCapture.AbandonAsync(pending).ConfigureAwait(false);
        }
    }
}
