// docs/getting-started.md, steps 3 and 4: run `dotnet run -- a serve` on one device and `dotnet run -- b sync` on another.
using System.Net;
using Liblim.EfCore;
using Microsoft.EntityFrameworkCore;

var options = new DbContextOptionsBuilder<TodoDb>()
    .UseSqlite($"Data Source={args[0]}.db")
    .UseLiblim()
    .Options;
await using var db = new TodoDb(options);
await db.Database.EnsureCreatedAsync();   // or migrations: Liblim's tables are part of the model

db.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = $"written on {args[0]}" });
await db.SaveChangesAsync();

if (args[1] == "serve")
{
    // device A: serve until Enter
    await using var server = await LiblimServer.StartAsync(options,
        new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 4242), Secret = "a long random secret" });
    Console.WriteLine("serving on 127.0.0.1:4242; press Enter to stop");
    Console.ReadLine();
}
else
{
    // device B: sync once, both ways
    SyncResult r = await db.Liblim().SyncWithAsync(new Uri("liblim://127.0.0.1:4242"), "a long random secret");
    Console.WriteLine($"sent {r.RowsSent}, received {r.RowsReceived}, changed here {r.RowsApplied}");
}
