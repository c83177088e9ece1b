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
    public static async Task InsertAsync(IReplica replica, IEnumerable<TodoItem> items)
    {
        await using var db = replica.Open();
        var entity = db.Model.FindEntityType(typeof(TodoItem))!;
        var columns = new[] { nameof(TodoItem.Id), nameof(TodoItem.Title), nameof(TodoItem.Done), nameof(TodoItem.Priority), nameof(TodoItem.Notes) }
            .Select(name => entity.FindProperty(name)!).ToList();
        var sql = db.GetService<ISqlGenerationHelper>();
        await db.Database.OpenConnectionAsync();
        await using var transaction = await db.Database.GetDbConnection().BeginTransactionAsync();
        foreach (var item in items)
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"INSERT INTO {sql.DelimitIdentifier(entity.GetTableName()!)} " +
                                  $"({string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c.GetColumnName())))}) " +
                                  $"VALUES ({string.Join(", ", columns.Select((_, i) => $"@p{i}"))})";
            object?[] values = [item.Id, item.Title, item.Done, item.Priority, item.Notes];
            for (var i = 0; i < columns.Count; i++)
            {
                command.Parameters.Add(columns[i].GetRelationalTypeMapping().CreateParameter(command, $"@p{i}", values[i], columns[i].IsNullable));
            }

            await command.ExecuteNonQueryAsync();
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
