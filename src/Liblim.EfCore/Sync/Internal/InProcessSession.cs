using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Liblim.EfCore.Sync.Transport;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Liblim.EfCore.Sync.Internal;

/// <summary>
/// Two-way sync of two databases in one process: the one-shot session that TCP peers run, the calling database as the
/// client and the other as the server, over an <see cref="InMemoryChannel"/> pair. So a sync in process follows the
/// protocol's every rule, and the caller gets the error that stopped it from whichever side it arose on.
/// </summary>
internal static class InProcessSession
{
    private const string Remote = "this process";

    public static async Task<SyncResult> RunAsync(DbContext local, DbContext remote, CancellationToken ct)
    {
        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var limits = new LiblimProtocolLimits();
        var server = ReplicaAccess.Over(remote);
        var (clientEnd, serverEnd) = InMemoryChannel.CreatePair();
        Task<SyncResult> serving;
        Task<SyncResult> syncing;
        await using (serverEnd.ConfigureAwait(false))
        {
            await using (clientEnd.ConfigureAwait(false))
            {
                serving = Task.Run(() => SyncSession.RunServerAsync(serverEnd, server, _ => secret, Settings(remote, limits), ct), CancellationToken.None);
                syncing = SyncSession.RunClientAsync(clientEnd, ReplicaAccess.Over(local), secret, live: false, Settings(local, limits), ct);
                await Task.WhenAny(syncing).ConfigureAwait(false);
            }

            // The client's end is closed: a server still reading sees the connection close.
            await Task.WhenAny(serving).ConfigureAwait(false);
        }

        try
        {
            return await syncing.ConfigureAwait(false);
        }
        catch (ProtocolException e) when (e.FromPeer && serving.Exception?.InnerException is { } cause)
        {
            // The client stopped because the server reported an error: the server's own exception says why.
            ExceptionDispatchInfo.Throw(cause);
            throw;
        }
    }

    private static SessionSettings Settings(DbContext context, LiblimProtocolLimits limits)
        => new(limits, Remote, context.GetService<ILoggerFactory>().CreateLogger(typeof(LiblimFacade)), TimeSpan.FromSeconds(1)) { Transport = "in-process" };
}
