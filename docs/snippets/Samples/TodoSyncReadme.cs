using System.Net;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.DocSnippets.Samples;

/// <summary>samples/TodoSync/README.md: the lines of the sample that use Liblim, with what they take as given.</summary>
internal static class TodoSyncReadme
{
    public static async Task DeviceAsync(ModelBuilder modelBuilder, DbContextOptionsBuilder<TodoDb> options, string databasePath, Guid nodeId,
        IDbContextFactory<TodoDb> contexts, string secret, TodoDb mine, int port)
    {
        // TodoDb.cs
        modelBuilder.Entity<TodoItem>().IsReplicated();

        // Device.cs
        options.UseSqlite($"Data Source={databasePath}").UseLiblim(o => o.NodeId(nodeId));
        await using var server = await LiblimServer.StartAsync(contexts, new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Secret = secret });
        SyncResult r = await mine.Liblim().SyncWithAsync(new Uri($"liblim://127.0.0.1:{port}"), secret);   // two-way
    }
}
