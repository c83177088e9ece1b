using Liblim.EfCore.Crdt;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Liblim.EfCore.Merge.Internal;
using static Liblim.EfCore.FunctionalTests.Infrastructure.Replicas;

namespace Liblim.EfCore.FunctionalTests.Errors;

/// <summary>Remote row states that do not fit this database are refused whole, and nothing stored changes.</summary>
public abstract class BadRemoteStateTests : ReplicaSuite
{
    public sealed class OnSqlite : BadRemoteStateTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class OnPostgres : BadRemoteStateTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    private static readonly Guid Peer = Guid.Parse("99999999-0000-0000-0000-000000000009");

    private static RowState State(string table, string key, params (string Column, string Json)[] columns)
    {
        var at = new HybridTimestamp(HybridTimestamp.Pack(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 0), Peer);
        return RowState.Empty(table, key).Insert(columns.Select(c => KeyValuePair.Create(c.Column, (string?)c.Json)), at);
    }

    private async Task<string> RefusedAsync(params RowState[] states)
    {
        using var replica = NewReplica("r");
        await InsertAsync(replica, new TodoItem { Id = Guid.NewGuid(), Title = "already here" });
        var before = Snapshot.Of(replica);
        var rowsBefore = ShadowRows.Rows(replica);
        await using var db = replica.Open();

        var e = await Assert.ThrowsAsync<RowStateException>(() => RowStateApplier.ApplyAsync(db, new RemoteBatch("test peer", Peer, states, 5), async: true, default));

        Assert.Equal(before, Snapshot.Of(replica));
        Assert.Equal(rowsBefore, ShadowRows.Rows(replica));
        Assert.Contains("Nothing from this batch was applied", e.Message);
        return e.Message;
    }

    private static RowState Good() => State("Items", $"[\"{Guid.NewGuid()}\"]", ("Title", "\"fine\""), ("Done", "false"), ("Priority", "1"));

    [Fact]
    public async Task A_row_of_a_table_this_model_lacks_with_a_key_that_is_no_json_array_is_refused()
        => Assert.Contains("invalid key for table 'Nope'", await RefusedAsync(Good(), State("Nope", "1", ("X", "1"))));

    [Fact]
    public async Task A_key_column_sent_as_a_value_is_refused()
        => Assert.Contains("key column 'Id'", await RefusedAsync(Good(), State("Items", $"[\"{Guid.NewGuid()}\"]", ("Title", "\"x\""), ("Id", $"\"{Guid.NewGuid()}\""))));

    [Fact]
    public async Task A_value_of_the_wrong_type_is_refused()
        => Assert.Contains("Items.Priority", await RefusedAsync(Good(), State("Items", $"[\"{Guid.NewGuid()}\"]", ("Priority", "\"high\""))));

    [Fact]
    public async Task A_key_of_the_wrong_type_is_refused()
        => Assert.Contains("invalid key", await RefusedAsync(Good(), State("Items", "[42]", ("Title", "\"x\""))));

    [Theory]
    [InlineData("upper case")]
    [InlineData("whitespace")]
    public async Task A_key_not_in_the_canonical_form_of_its_values_is_refused(string form)
    {
        // Another text of the values of a stored row: taken as it is, it would name a second row, or pass a scope's check
        // of the row by its canonical key.
        using var replica = NewReplica("r");
        var id = Guid.NewGuid();
        await InsertAsync(replica, new TodoItem { Id = id, Title = "here" });
        var key = form == "upper case" ? $"[\"{id.ToString().ToUpperInvariant()}\"]" : $"[ \"{id}\" ]";
        var (before, rowsBefore) = (Snapshot.Of(replica), ShadowRows.Rows(replica));
        await using var db = replica.Open();

        var e = await Assert.ThrowsAsync<RowStateException>(() => RowStateApplier.ApplyAsync(db, new RemoteBatch("test peer", Peer, [Good(), State("Items", key, ("Title", "\"taken\""))], 5), async: true, default));

        Assert.Contains($"is not in canonical form; its values' canonical key is [\"{id}\"]", e.Message);
        Assert.Equal(before, Snapshot.Of(replica));
        Assert.Equal(rowsBefore, ShadowRows.Rows(replica));
    }

    [Fact]
    public async Task Text_with_half_a_surrogate_pair_is_refused_rather_than_changed()
        => Assert.Contains("lone UTF-16 surrogate", await RefusedAsync(Good(), State("Items", $"[\"{Guid.NewGuid()}\"]", ("Title", "\"a\\ud800b\""))));

    [Fact]
    public async Task Null_in_a_required_column_is_refused()
        => Assert.Contains("Items.Title", await RefusedAsync(Good(), State("Items", $"[\"{Guid.NewGuid()}\"]", ("Title", "null"))));
}
