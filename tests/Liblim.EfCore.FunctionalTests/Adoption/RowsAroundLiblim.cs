using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Liblim.EfCore.FunctionalTests.Adoption;

/// <summary>
/// Writes items the way rows get into a table before it is replicated, or by another program: plain INSERTs on the
/// database's connection, which no EF interceptor sees, leaving Liblim's columns empty.
/// </summary>
public static class RowsAroundLiblim
{
    public static async Task InsertAsync<T>(IReplica replica, IEnumerable<T> entities)
        where T : class
    {
        await using var db = replica.Open();
        var sql = db.GetService<ISqlGenerationHelper>();
        await db.Database.OpenConnectionAsync();
        await using var transaction = await db.Database.GetDbConnection().BeginTransactionAsync();
        foreach (var entity in entities)
        {
            // Added, so that EF gives the row what it would write (a hierarchy's discriminator); then written by hand.
            var entry = db.Entry(entity);
            entry.State = EntityState.Added;
            var columns = entry.Properties.Where(p => !p.Metadata.Name.StartsWith("__liblim_", StringComparison.Ordinal)).ToList();
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"INSERT INTO {sql.DelimitIdentifier(entry.Metadata.GetTableName()!)} " +
                                  $"({string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c.Metadata.GetColumnName())))}) " +
                                  $"VALUES ({string.Join(", ", columns.Select((_, i) => $"@p{i}"))})";
            for (var i = 0; i < columns.Count; i++)
            {
                command.Parameters.Add(columns[i].Metadata.GetRelationalTypeMapping().CreateParameter(command, $"@p{i}", columns[i].CurrentValue, columns[i].Metadata.IsNullable));
            }

            await command.ExecuteNonQueryAsync();
            entry.State = EntityState.Detached;
        }

        await transaction.CommitAsync();
    }

    /// <summary>The items with ids from a seed: the same on every replica given the same seed.</summary>
    public static List<TodoItem> Items(int count, int seed, string title = "existing")
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => new TodoItem
        {
            Id = random.NextGuid(), Title = $"{title} {i}", Done = i % 3 == 0, Priority = i % 5, Notes = i % 2 == 0 ? null : $"note {i}",
        })];
    }
}
