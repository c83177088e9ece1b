using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Liblim.EfCore.FunctionalTests.Capture;

/// <summary>
/// Edits an app makes while saving (audit columns, say) are recorded wherever it makes them: in the context's
/// SavingChanges event, in an override of SaveChanges, or in a SaveChangesInterceptor of its own, which EF runs after
/// Liblim's (Liblim reads the changes just before EF's first command).
/// </summary>
public class AuditEditTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_edit_made_by_an_apps_own_SaveChanges_interceptor_is_stamped_and_reaches_a_peer(bool async)
    {
        using var a = new SqliteReplica("audit-interceptor-a");
        using var b = new SqliteReplica("audit-interceptor-b");
        var id = Guid.NewGuid();
        var options = new DbContextOptionsBuilder<TodoDb>(a.Options).AddInterceptors(new OnSaving(Stamp)).Options;
        await using (var db = new TodoDb(options))
        {
            db.Items.Add(new TodoItem { Id = id, Title = "a", Notes = "first" });
            _ = async ? await db.SaveChangesAsync() : db.SaveChanges();
            await Replicas.SyncAsync(b, a);

            (await db.Items.SingleAsync()).Title = "b";
            _ = async ? await db.SaveChangesAsync() : db.SaveChanges();
        }

        Assert.Equal(["Notes", "Title"], ShadowRows.ColumnsWithOwnClock(ShadowRows.Row(a, "Items", id)!).Order());
        await Replicas.SyncAsync(b, a);
        await using var peer = b.Open();
        var item = await peer.Items.SingleAsync();
        Assert.Equal(("b", "audited"), (item.Title, item.Notes));
    }

    /// <summary>Stamps every modified item, as an audit interceptor would.</summary>
    private static void Stamp(DbContext context)
    {
        foreach (var entry in context.ChangeTracker.Entries<TodoItem>().Where(e => e.State == EntityState.Modified))
        {
            entry.Entity.Notes = "audited";
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_replicated_row_an_apps_own_interceptor_adds_to_a_SaveChanges_of_unreplicated_rows_is_recorded_and_reaches_a_peer(bool async)
    {
        using var a = new SqliteReplica("audit-adds-a");
        using var b = new SqliteReplica("audit-adds-b");
        var options = new DbContextOptionsBuilder<TodoDb>(a.Options).AddInterceptors(new OnSaving(AuditSettings)).Options;
        await using (var db = new TodoDb(options))
        {
            db.Settings.Add(new LocalSetting { Id = 1, Value = "dark" }); // not replicated: only the audit row is
            _ = async ? await db.SaveChangesAsync() : db.SaveChanges();
        }

        await Replicas.SyncAsync(b, a);
        await using var peer = b.Open();
        Assert.Equal("setting 1 is now dark", (await peer.Audit.SingleAsync()).Message);
        Assert.Empty(await peer.Settings.ToListAsync());
    }

    /// <summary>Adds an audit row (replicated) for every setting saved (not replicated).</summary>
    private static void AuditSettings(DbContext context)
    {
        foreach (var setting in context.ChangeTracker.Entries<LocalSetting>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList())
        {
            context.Add(new AuditEntry { Id = Guid.NewGuid(), Message = $"setting {setting.Id} is now {setting.Value}" });
        }
    }

    /// <summary>An app's own SaveChanges interceptor, which EF runs after Liblim's: it does something to the context as saving starts.</summary>
    private sealed class OnSaving(Action<DbContext> action) : SaveChangesInterceptor
    {
        public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
        {
            action(eventData.Context!);
            return result;
        }

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            action(eventData.Context!);
            return ValueTask.FromResult(result);
        }
    }

    [Fact]
    public async Task An_edit_made_in_the_SavingChanges_event_is_stamped_and_reaches_a_peer()
    {
        using var a = new SqliteReplica("audit-a");
        using var b = new SqliteReplica("audit-b");
        var id = Guid.NewGuid();
        await using (var db = a.Open())
        {
            db.SavingChanges += (sender, _) => Stamp((DbContext)sender!);
            db.Items.Add(new TodoItem { Id = id, Title = "a", Notes = "first" });
            await db.SaveChangesAsync();
            await Replicas.SyncAsync(b, a);

            (await db.Items.SingleAsync()).Title = "b";
            await db.SaveChangesAsync();
        }

        Assert.Equal(["Notes", "Title"], ShadowRows.ColumnsWithOwnClock(ShadowRows.Row(a, "Items", id)!).Order());
        await Replicas.SyncAsync(b, a);
        await using var peer = b.Open();
        var item = await peer.Items.SingleAsync();
        Assert.Equal(("b", "audited"), (item.Title, item.Notes));
    }
}
