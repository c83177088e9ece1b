// Runs the snippets that need no other machine (the others, which talk to a hub at a made-up address, are compiled only):
// on SQLite files in a temp folder, checking that each did what its page says.
using Liblim.EfCore.DocSnippets.GettingStarted;
using Liblim.EfCore.DocSnippets.Readme;
using ReadmeDb = Liblim.EfCore.DocSnippets.Readme.TodoDb;
using ReadmeItem = Liblim.EfCore.DocSnippets.Readme.TodoItem;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

var folder = Directory.CreateTempSubdirectory("liblim-snippets-").FullName;
Directory.SetCurrentDirectory(folder); // the snippets name their files relatively (phone.db)
try
{
    // README, "Usage": two databases in one process.
    var laptopOptions = Options<ReadmeDb>("laptop.db");
    await using (var phone = new ReadmeDb(Options<ReadmeDb>("phone.db")))
    {
        await phone.Database.EnsureCreatedAsync();
        phone.Items.Add(new ReadmeItem { Id = Guid.NewGuid(), Title = "on the phone" });
        await phone.SaveChangesAsync();
    }

    await using (var laptop = new ReadmeDb(laptopOptions))
    {
        await laptop.Database.EnsureCreatedAsync();
    }

    await Usage.TwoDatabasesAsync(laptopOptions);
    await Expect(new ReadmeDb(laptopOptions), "on the phone", "README: the laptop has the phone's item");

    // README: a server and a one-shot sync over TCP, and the registration of the sync service.
    var hubOptions = Options<ReadmeDb>("hub.db");
    await using (var hub = new ReadmeDb(hubOptions))
    {
        await hub.Database.EnsureCreatedAsync();
        hub.Items.Add(new ReadmeItem { Id = Guid.NewGuid(), Title = "on the hub" });
        await hub.SaveChangesAsync();
    }

    await using (var device = new ReadmeDb(laptopOptions))
    {
        await Usage.OverTcpAsync(new Contexts(hubOptions), "a long random secret", device, new Progress<Liblim.EfCore.SyncProgress>(), new ServiceCollection(), CancellationToken.None);
    }

    await Expect(new ReadmeDb(laptopOptions), "on the hub", "README: the device has the hub's item");

    // README, scope rules; getting-started step 5: registrations that build.
    var web = WebApplication.CreateBuilder();
    Usage.Scopes(web);
    KeepInSync.Register(web);
    await using var app = web.Build();
    Console.WriteLine("snippets: ran README's usage, TCP and scope blocks and getting-started's step 5");
}
finally
{
    Directory.SetCurrentDirectory(Path.GetTempPath());
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(folder, recursive: true);
}

static DbContextOptions<T> Options<T>(string file)
    where T : DbContext
    => new DbContextOptionsBuilder<T>().UseSqlite($"Data Source={file}").UseLiblim().Options;

static async Task Expect(ReadmeDb db, string title, string what)
{
    await using (db)
    {
        if (!await db.Items.AnyAsync(i => i.Title == title))
        {
            throw new InvalidOperationException($"{what}: it does not.");
        }
    }
}

sealed class Contexts(DbContextOptions<ReadmeDb> options) : IDbContextFactory<ReadmeDb>
{
    public ReadmeDb CreateDbContext() => new(options);
}
