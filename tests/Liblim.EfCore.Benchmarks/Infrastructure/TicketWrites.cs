using Liblim.EfCore.Benchmarks.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Benchmarks.Infrastructure;

/// <summary>Writes through EF's SaveChanges, a batch of rows per context, as an app would.</summary>
public static class TicketWrites
{
    public const int BatchSize = 1_000;

    /// <summary>Inserts rows [from, to) at a version.</summary>
    public static async Task InsertAsync(Func<BenchDb> open, int from, int to, int version = 1)
    {
        for (var start = from; start < to; start += BatchSize)
        {
            await using var db = open();
            db.Tickets.AddRange(TicketGenerator.Range(start, Math.Min(start + BatchSize, to), version));
            await db.SaveChangesAsync();
        }
    }

    /// <summary>Loads the rows with the given indexes and changes each as <paramref name="change"/> says, a batch per SaveChanges.</summary>
    public static async Task UpdateAsync(Func<BenchDb> open, IEnumerable<int> rows, Action<int, Ticket> change)
    {
        foreach (var chunk in rows.Chunk(BatchSize))
        {
            await using var db = open();
            var byKey = chunk.ToDictionary(TicketGenerator.Key);
            var keys = byKey.Keys.ToList();
            var tickets = await db.Tickets.Where(t => keys.Contains(t.Id)).ToListAsync();
            if (tickets.Count != chunk.Length)
            {
                throw new InvalidOperationException($"Expected {chunk.Length} rows to update, found {tickets.Count}.");
            }

            foreach (var ticket in tickets)
            {
                change(byKey[ticket.Id], ticket);
            }

            await db.SaveChangesAsync();
        }
    }

    /// <summary>Loads the rows with the given indexes and deletes them, a batch per SaveChanges.</summary>
    public static async Task DeleteAsync(Func<BenchDb> open, IEnumerable<int> rows)
    {
        foreach (var chunk in rows.Chunk(BatchSize))
        {
            await using var db = open();
            var keys = chunk.Select(TicketGenerator.Key).ToList();
            db.Tickets.RemoveRange(await db.Tickets.Where(t => keys.Contains(t.Id)).ToListAsync());
            await db.SaveChangesAsync();
        }
    }

    /// <summary>Writes every data column of the rows anew, as version <paramref name="version"/>.</summary>
    public static Task RewriteAsync(Func<BenchDb> open, IEnumerable<int> rows, int version)
        => UpdateAsync(open, rows, (i, t) => TicketGenerator.CopyValues(TicketGenerator.Create(i, version), t));
}
