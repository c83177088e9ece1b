using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>Short helpers for tests that edit and sync replicas.</summary>
public static class Replicas
{
    public static async Task<SyncResult> SyncAsync(IReplica a, IReplica b)
    {
        await using var da = a.Open();
        await using var db = b.Open();
        return await da.Liblim().SyncWithAsync(db);
    }

    public static async Task EditAsync(IReplica replica, Guid id, Action<TodoItem> edit)
    {
        await using var db = replica.Open();
        var item = await db.Items.SingleAsync(i => i.Id == id);
        edit(item);
        await db.SaveChangesAsync();
    }

    public static async Task InsertAsync(IReplica replica, TodoItem item)
    {
        await using var db = replica.Open();
        db.Items.Add(item);
        await db.SaveChangesAsync();
    }

    public static async Task DeleteAsync(IReplica replica, Guid id)
    {
        await using var db = replica.Open();
        db.Items.Remove(await db.Items.SingleAsync(i => i.Id == id));
        await db.SaveChangesAsync();
    }

    /// <summary>Every item the replica shows.</summary>
    public static List<TodoItem> All(IReplica replica)
    {
        using var db = replica.Open();
        return [.. db.Items.AsNoTracking()];
    }

    public static TodoItem? Find(IReplica replica, Guid id)
    {
        using var db = replica.Open();
        return db.Items.AsNoTracking().SingleOrDefault(i => i.Id == id);
    }
}
