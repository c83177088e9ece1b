// docs/getting-started.md, steps 3 and 4: one device's program.
using System.Net;
using Liblim.EfCore;
using Microsoft.EntityFrameworkCore;

var options = new DbContextOptionsBuilder<TodoDb>()
    .UseSqlite($"Data Source={args[0]}.db")
    .UseLiblim()
    .Options;
await using var db = new TodoDb(options);
await db.Database.EnsureCreatedAsync();   // or migrations: Liblim's tables are part of the model

// device A: serve
await using var server = await LiblimServer.StartAsync(new Contexts(options),
    new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 4242), Secret = "a long random secret" });

// device B: sync once, both ways
SyncResult r = await db.Liblim().SyncWithAsync(new Uri("liblim://127.0.0.1:4242"), "a long random secret");
Console.WriteLine($"sent {r.RowsSent}, received {r.RowsReceived}, changed here {r.RowsApplied}");

sealed class Contexts(DbContextOptions<TodoDb> options) : IDbContextFactory<TodoDb>
{
    public TodoDb CreateDbContext() => new(options);
}
