using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Update;
using Microsoft.EntityFrameworkCore.Update.Internal;

namespace Liblim.EfCore.Capture.Internal;

/// <summary>
/// EF's batch executor, with the capture prepared first (<see cref="ChangeCaptureInterceptor.PrepareAsync"/>). SaveChanges
/// hands it the batches once every SaveChanges interceptor has run and EF has detected its last changes and cascaded its
/// deletes, and EF makes each batch's commands only as it enumerates them: the row metadata the capture gives the
/// entities goes into EF's own statements.
/// </summary>
/// <remarks>Registered by UseLiblim in place of EF's (a scoped service, one per context).</remarks>
internal sealed class CaptureBatchExecutor : IBatchExecutor
{
    private readonly ICurrentDbContext _current;
    private readonly IBatchExecutor _inner;
    private readonly ChangeCaptureInterceptor? _capture;

    public CaptureBatchExecutor(ICurrentDbContext currentContext, IDiagnosticsLogger<DbLoggerCategory.Update> updateLogger, IEnumerable<IInterceptor> interceptors)
    {
        _current = currentContext;
#pragma warning disable EF1001 // EF's own executor runs the batches; Liblim only goes first. Its constructor is the same since EF Core 7.
        _inner = new BatchExecutor(currentContext, updateLogger);
#pragma warning restore EF1001
        _capture = interceptors.OfType<ChangeCaptureInterceptor>().FirstOrDefault();
    }

    public int Execute(IEnumerable<ModificationCommandBatch> commandBatches, IRelationalConnection connection)
    {
        PrepareAsync(async: false, default).GetAwaiter().GetResult();
        return _inner.Execute(commandBatches, connection);
    }

    public async Task<int> ExecuteAsync(IEnumerable<ModificationCommandBatch> commandBatches, IRelationalConnection connection, CancellationToken cancellationToken = default)
    {
        await PrepareAsync(async: true, cancellationToken).ConfigureAwait(false);
        return await _inner.ExecuteAsync(commandBatches, connection, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Prepares the capture. A database error there reaches the app as EF's own errors while saving do: inside a
    /// <see cref="DbUpdateException"/> (a serialization failure of PostgreSQL, say, which the app retries as any other).
    /// What replication refuses (<see cref="InsertOnlyViolationException"/>) goes to the app as it is.
    /// </summary>
    private async Task PrepareAsync(bool async, CancellationToken ct)
    {
        if (_capture is null)
        {
            return;
        }

        try
        {
            await _capture.PrepareAsync(_current.Context, async, ct).ConfigureAwait(false);
        }
        catch (DbException e)
        {
            throw new DbUpdateException("Liblim could not record the replicated changes of this SaveChanges; nothing was saved. See the inner exception.", e);
        }
    }
}
