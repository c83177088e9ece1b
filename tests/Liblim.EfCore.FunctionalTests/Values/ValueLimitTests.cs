using Liblim.EfCore.FunctionalTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Liblim.EfCore.FunctionalTests.Values.ValueRoundTripTests;

namespace Liblim.EfCore.FunctionalTests.Values;

/// <summary>
/// Values one database cannot hold exactly, each as docs/semantics.md ("Values on SQLite and PostgreSQL") says:
/// rounded the same way every time and never taken for a change, or refused whole with the reason.
/// </summary>
public class ValueLimitTests
{
    [Fact]
    public async Task Times_finer_than_a_microsecond_are_rounded_down_on_PostgreSQL_and_the_rounding_is_never_taken_for_a_change()
    {
        using var sqlite = new ValueReplica(DatabaseKind.Sqlite);
        using var postgres = new ValueReplica(DatabaseKind.Postgres);
        using var viaPostgres = new ValueReplica(DatabaseKind.Sqlite);
        var row = ValueSamples.Typical();
        row.When = new DateTime(2026, 3, 14, 15, 9, 26, DateTimeKind.Utc).AddTicks(5_358_979);
        row.Moment = new DateTimeOffset(2026, 3, 14, 15, 9, 26, TimeSpan.Zero).AddTicks(1);
        row.Time = new TimeOnly(13, 37, 42).Add(TimeSpan.FromTicks(9));
        row.Duration = TimeSpan.FromTicks(12_345_678_901);
        row.NullableDuration = TimeSpan.FromTicks(-15);
        await InsertAsync(sqlite, row);

        await SyncAsync(sqlite, postgres);
        await SyncAsync(postgres, viaPostgres);

        var rounded = await ReadAsync(postgres, row.Id);
        Assert.Equal(new DateTime(2026, 3, 14, 15, 9, 26, 535, 897, DateTimeKind.Utc), rounded.When);
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 15, 9, 26, TimeSpan.Zero), rounded.Moment);
        Assert.Equal(new TimeOnly(13, 37, 42), rounded.Time);
        Assert.Equal(TimeSpan.FromTicks(12_345_678_900), rounded.Duration);
        Assert.Equal(TimeSpan.FromTicks(-10), rounded.NullableDuration); // toward zero, as PostgreSQL's interval
        Assert.Equal(ValueText.Of(rounded), ValueText.Of(await ReadAsync(viaPostgres, row.Id)));

        // Rounding is not a change: syncing again sends and applies nothing, and the writer keeps its exact values.
        var again = await SyncAsync(sqlite, postgres);
        Assert.Equal((0, 0, 0, 0), (again.RowsSent, again.RowsReceived, again.RowsApplied, again.RowsAppliedByPeer));
        Assert.Equal(ValueText.Of(row), ValueText.Of(await ReadAsync(sqlite, row.Id)));

        // The same write in two forms: at an equal timestamp the greater text wins on every replica that can hold
        // it, so the replica that received the write through PostgreSQL takes the exact value once it meets the
        // writer; PostgreSQL keeps its rounded form, and every sync after that is quiet.
        await SyncAsync(viaPostgres, sqlite);
        Assert.Equal(ValueText.Of(row), ValueText.Of(await ReadAsync(viaPostgres, row.Id)));
        await AssertQuietAsync(sqlite, postgres, viaPostgres);
        Assert.Equal(ValueText.Of(row), ValueText.Of(await ReadAsync(viaPostgres, row.Id)));
        Assert.Equal(ValueText.Of(rounded), ValueText.Of(await ReadAsync(postgres, row.Id)));
        Assert.Equal(ValueText.Of(row), ValueText.Of(await ReadAsync(sqlite, row.Id)));
    }

    [Fact]
    public async Task PostgreSQL_keeps_the_instant_of_a_DateTimeOffset_but_not_its_offset()
    {
        using var sqlite = new ValueReplica(DatabaseKind.Sqlite);
        using var postgres = new ValueReplica(DatabaseKind.Postgres);
        var row = ValueSamples.Typical();
        row.Moment = new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.FromHours(2));
        row.NullableMoment = new DateTimeOffset(2026, 5, 1, 1, 30, 0, TimeSpan.FromHours(-9.5));
        await InsertAsync(sqlite, row);

        await SyncAsync(sqlite, postgres);

        var onPostgres = await ReadAsync(postgres, row.Id);
        Assert.Equal(row.Moment.UtcDateTime, onPostgres.Moment.UtcDateTime);
        Assert.Equal(TimeSpan.Zero, onPostgres.Moment.Offset);
        Assert.Equal(row.NullableMoment.Value.UtcDateTime, onPostgres.NullableMoment!.Value.UtcDateTime);
        Assert.Equal(row.Moment, (await ReadAsync(sqlite, row.Id)).Moment); // the same instant: equal
        await AssertQuietAsync(sqlite, postgres);
    }

    [Fact]
    public async Task NaN_syncs_between_PostgreSQL_databases_and_is_refused_by_SQLite_with_the_reason()
    {
        using var postgres = new ValueReplica(DatabaseKind.Postgres);
        using var otherPostgres = new ValueReplica(DatabaseKind.Postgres);
        using var sqlite = new ValueReplica(DatabaseKind.Sqlite);
        var row = ValueSamples.Typical();
        row.Real = double.NaN;
        row.NullableSingle = float.NaN;
        await InsertAsync(postgres, row);

        await SyncAsync(postgres, otherPostgres);
        var copy = await ReadAsync(otherPostgres, row.Id);
        Assert.True(double.IsNaN(copy.Real) && float.IsNaN(copy.NullableSingle!.Value));
        await AssertQuietAsync(postgres, otherPostgres);

        var e = await Assert.ThrowsAsync<RowStateException>(() => SyncAsync(sqlite, postgres));
        Assert.Contains("SQLite cannot store NaN", e.Message);
        Assert.Contains("Nothing from this batch was applied", e.Message);
        await using (var db = sqlite.Open())
        {
            Assert.Equal(0, await db.Rows.CountAsync());
        }

        // Once the writer replaces NaN, the row syncs.
        await using (var db = postgres.Open())
        {
            var stored = await db.Rows.SingleAsync();
            stored.Real = 0;
            stored.NullableSingle = null;
            await db.SaveChangesAsync();
        }

        await SyncAsync(sqlite, postgres);
        Assert.Equal(0, (await ReadAsync(sqlite, row.Id)).Real);
    }

    [Fact]
    public async Task Text_with_a_NUL_character_is_refused_by_PostgreSQL_with_the_reason()
    {
        using var sqlite = new ValueReplica(DatabaseKind.Sqlite);
        using var postgres = new ValueReplica(DatabaseKind.Postgres);
        var row = ValueSamples.Typical();
        row.NullableText = "before\0after";
        await InsertAsync(sqlite, row);

        var e = await Assert.ThrowsAsync<RowStateException>(() => SyncAsync(postgres, sqlite));

        Assert.Contains("Rows.NullableText", e.Message);
        Assert.Contains("NUL character", e.Message);
        await using var db = postgres.Open();
        Assert.Equal(0, await db.Rows.CountAsync());
    }

    [Fact]
    public async Task SQLite_keeps_neither_the_sign_of_zero_nor_the_trailing_zeros_of_a_decimal_but_the_numbers_stay_equal()
    {
        using var postgres = new ValueReplica(DatabaseKind.Postgres);
        using var sqlite = new ValueReplica(DatabaseKind.Sqlite);
        var row = ValueSamples.Typical();
        row.Real = -0.0;
        row.Money = 1.10m;
        row.Temperature = new Celsius(40m);
        await InsertAsync(postgres, row);

        await SyncAsync(postgres, sqlite);

        var onSqlite = await ReadAsync(sqlite, row.Id);
        Assert.Equal("0", onSqlite.Real.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(onSqlite.Real == row.Real);
        Assert.Equal("1.1", onSqlite.Money.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(row.Money, onSqlite.Money);
        Assert.Equal(row.Temperature, onSqlite.Temperature);
        Assert.Equal(1.10m, (await ReadAsync(postgres, row.Id)).Money);
        await AssertQuietAsync(postgres, sqlite);
    }

    [Fact]
    public async Task A_key_PostgreSQL_cannot_store_exactly_is_refused_whole()
    {
        using var sqlite = new ValueReplica(DatabaseKind.Sqlite);
        using var postgres = new ValueReplica(DatabaseKind.Postgres);
        await using (var db = sqlite.Open())
        {
            db.Readings.Add(new Reading { Sensor = "s", At = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(1), Value = 1 });
            db.Rows.Add(ValueSamples.Typical());
            await db.SaveChangesAsync();
        }

        var e = await Assert.ThrowsAsync<RowStateException>(() => SyncAsync(postgres, sqlite));

        Assert.Contains("invalid key", e.Message);
        Assert.Contains("exactly", e.Message);
        await using var check = postgres.Open();
        Assert.Equal(0, await check.Rows.CountAsync() + await check.Readings.CountAsync());
    }

    private static async Task InsertAsync(ValueReplica replica, ValueRow row)
    {
        await using var db = replica.Open();
        db.Rows.Add(row);
        await db.SaveChangesAsync();
    }

    private static async Task<ValueRow> ReadAsync(ValueReplica replica, Guid id)
    {
        await using var db = replica.Open();
        return await db.Rows.AsNoTracking().SingleAsync(r => r.Id == id);
    }

    /// <summary>Syncs every pair until they agree, then checks that one more sync of each pair sends and applies nothing.</summary>
    private static async Task AssertQuietAsync(params ValueReplica[] replicas)
    {
        var pairs = replicas.SelectMany((a, i) => replicas.Skip(i + 1).Select(b => (a, b))).ToList();
        for (var round = 0; round < 2; round++)
        {
            foreach (var (a, b) in pairs)
            {
                await SyncAsync(a, b);
            }
        }

        foreach (var (a, b) in pairs)
        {
            var r = await SyncAsync(a, b);
            Assert.Equal((0, 0, 0, 0), (r.RowsSent, r.RowsReceived, r.RowsApplied, r.RowsAppliedByPeer));
        }
    }
}
