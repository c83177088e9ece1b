using Liblim.EfCore.FunctionalTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Values;

/// <summary>
/// A value written on one database, synced to the other and on to a third replica of the first kind, arrives equal
/// everywhere; and since no side rounds it, syncing again sends and applies nothing.
/// </summary>
public class ValueRoundTripTests
{
    [Theory]
    [InlineData(DatabaseKind.Sqlite, DatabaseKind.Postgres)]
    [InlineData(DatabaseKind.Postgres, DatabaseKind.Sqlite)]
    public async Task Every_type_survives_the_other_database_and_back_exactly(DatabaseKind origin, DatabaseKind via)
    {
        using var writer = new ValueReplica(origin);
        using var middle = new ValueReplica(via);
        using var back = new ValueReplica(origin);
        var rows = ValueSamples.All();
        var reading = new Reading { Sensor = "north/ünïcode", At = new DateTime(2026, 1, 2, 3, 4, 5, 6, 7, DateTimeKind.Utc), Value = -273.15 };
        await using (var db = writer.Open())
        {
            db.Rows.AddRange(rows);
            db.Readings.Add(reading);
            await db.SaveChangesAsync();
        }

        await SyncAsync(writer, middle);
        await SyncAsync(middle, back);

        foreach (var replica in new[] { writer, middle, back })
        {
            await using var db = replica.Open();
            var stored = await db.Rows.AsNoTracking().ToDictionaryAsync(r => r.Id);
            foreach (var expected in rows)
            {
                Assert.Equal(ValueText.Of(expected), ValueText.Of(stored[expected.Id]));
            }

            var storedReading = await db.Readings.AsNoTracking().SingleAsync();
            Assert.Equal((reading.Sensor, reading.At, reading.Value), (storedReading.Sensor, storedReading.At, storedReading.Value));
        }

        // The same syncs again send and apply nothing: no side rounded a value, so none looks changed.
        foreach (var (a, b) in new[] { (writer, middle), (middle, back) })
        {
            var again = await SyncAsync(a, b);
            Assert.Equal((0, 0, 0, 0), (again.RowsSent, again.RowsReceived, again.RowsApplied, again.RowsAppliedByPeer));
        }

        // Every replica with every other: they converge, and then every sync is quiet.
        var ring = new[] { (writer, middle), (middle, back), (back, writer) };
        for (var round = 0; round < 2; round++)
        {
            foreach (var (a, b) in ring)
            {
                await SyncAsync(a, b);
            }
        }

        foreach (var (a, b) in ring)
        {
            var quiet = await SyncAsync(a, b);
            Assert.Equal((0, 0, 0, 0), (quiet.RowsSent, quiet.RowsReceived, quiet.RowsApplied, quiet.RowsAppliedByPeer));
        }

        foreach (var replica in new[] { writer, middle, back })
        {
            await using var db = replica.Open();
            var stored = await db.Rows.AsNoTracking().ToDictionaryAsync(r => r.Id);
            Assert.All(rows, expected => Assert.Equal(ValueText.Of(expected), ValueText.Of(stored[expected.Id])));
        }
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite, DatabaseKind.Postgres)]
    [InlineData(DatabaseKind.Postgres, DatabaseKind.Sqlite)]
    public async Task An_update_of_every_column_to_null_and_back_survives_the_other_database(DatabaseKind origin, DatabaseKind via)
    {
        using var writer = new ValueReplica(origin);
        using var other = new ValueReplica(via);
        var row = ValueSamples.Typical();
        await using (var db = writer.Open())
        {
            db.Rows.Add(row);
            await db.SaveChangesAsync();
        }

        await SyncAsync(writer, other);
        var emptied = ValueSamples.EmptiesAndNulls();
        emptied.Id = row.Id;
        await using (var db = other.Open())
        {
            var stored = await db.Rows.SingleAsync();
            db.Entry(stored).CurrentValues.SetValues(emptied);
            await db.SaveChangesAsync();
        }

        await SyncAsync(other, writer);

        await using (var db = writer.Open())
        {
            Assert.Equal(ValueText.Of(emptied), ValueText.Of(await db.Rows.AsNoTracking().SingleAsync()));
        }

        var again = await SyncAsync(writer, other);
        Assert.Equal((0, 0), (again.RowsApplied, again.RowsAppliedByPeer));
    }

    internal static async Task<SyncResult> SyncAsync(ValueReplica a, ValueReplica b)
    {
        await using var da = a.Open();
        await using var db = b.Open();
        return await da.Liblim().SyncWithAsync(db);
    }
}
