using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.Metadata.Internal;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Relationships;

/// <summary>
/// A row shown as it is keeps its replication metadata in two columns of its own row; a row deleted, held back or shown
/// with a projected reference keeps it in <c>__liblim_rows</c>. Every move between the two takes it out of the place it
/// leaves, and nothing is lost on the way (docs/semantics.md, "Storage").
/// </summary>
public abstract class MetadataPlacesTests : RelationSuite
{
    public sealed class OnSqlite : MetadataPlacesTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class OnPostgres : MetadataPlacesTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    private enum Place
    {
        None,
        Row,
        ShadowTable,
    }

    [Fact]
    public async Task A_rows_metadata_moves_between_its_row_and_the_shadow_table_as_the_row_is_projected_shown_deleted_and_inserted_again()
    {
        using var a = NewRelationReplica("a");
        using var b = NewRelationReplica("b");
        var list = Guid.NewGuid();
        var note = Guid.NewGuid();
        await SaveAsync(a, db =>
        {
            db.Lists.Add(new TodoList { Id = list, Title = "week" });
            db.Notes.Add(new Note { Id = note, ListId = list, Text = "n" });
        });
        Assert.Equal(Place.Row, await PlaceAsync(a, "Notes", note));
        Assert.Equal(Place.Row, await PlaceAsync(a, "Lists", list));

        // The note arrives before its list: shown with its reference projected to null, its metadata aside.
        await PushAsync(a, b, Table("Notes"));
        Assert.Equal($"note {note} list= n", await ShownAsync(b));
        Assert.Equal(Place.ShadowTable, await PlaceAsync(b, "Notes", note));

        // The list arrives: the note shows its reference, and its metadata is back in its row.
        await PushAsync(a, b, Table("Lists"));
        Assert.Contains($"note {note} list={list} n", await ShownAsync(b));
        Assert.Equal(Place.Row, await PlaceAsync(b, "Notes", note));
        Assert.Equal(Place.Row, await PlaceAsync(b, "Lists", list));

        // Deleted here: no data row, the tombstone and the kept values in the shadow table; then synced.
        await SaveAsync(b, db => db.Notes.Remove(db.Notes.Find(note)!));
        Assert.Equal(Place.ShadowTable, await PlaceAsync(b, "Notes", note));
        await SyncAsync(a, b);
        Assert.Equal(Place.ShadowTable, await PlaceAsync(a, "Notes", note));

        // Inserted again with the same key: back in its row, and the sync carries the new add tag.
        await SaveAsync(a, db => db.Notes.Add(new Note { Id = note, ListId = list, Text = "again" }));
        Assert.Equal(Place.Row, await PlaceAsync(a, "Notes", note));
        await SyncAsync(a, b);
        Assert.Equal(Place.Row, await PlaceAsync(b, "Notes", note));
        Assert.Equal(await ShownAsync(a), await ShownAsync(b));
        Assert.Contains($"note {note} list={list} again", await ShownAsync(b));
        await AssertEveryLiveRowIsShownOrHeldBackAsync(a);
        await AssertEveryLiveRowIsShownOrHeldBackAsync(b);
    }

    [Fact]
    public async Task A_disconnected_entity_saved_with_Update_keeps_the_rows_metadata_whether_or_not_a_value_changed()
    {
        using var a = NewRelationReplica("a");
        using var b = NewRelationReplica("b");
        var list = Guid.NewGuid();
        await SaveAsync(a, db => db.Lists.Add(new TodoList { Id = list, Title = "week" }));
        var stored = ShadowRows.Rows(a.Open).Single();

        // Update marks every property of a new object modified (the metadata columns are shadow properties, which it
        // leaves alone): a SaveChanges that changes no value leaves the row's metadata as it was.
        await SaveAsync(a, db => db.Lists.Update(new TodoList { Id = list, Title = "week" }));
        Assert.Equal(stored, ShadowRows.Rows(a.Open).Single());

        // One that changes a value records the change, and the row's metadata stays in its row.
        await SaveAsync(a, db => db.Lists.Update(new TodoList { Id = list, Title = "month" }));
        var changed = ShadowRows.Rows(a.Open).Single();
        Assert.True(changed.Seq > stored.Seq);
        Assert.Equal(["Title"], ShadowRows.ColumnsWithOwnClock(changed));
        Assert.Equal(Place.Row, await PlaceAsync(a, "Lists", list));

        await SyncAsync(a, b);
        Assert.Contains($"list {list} month", await ShownAsync(b));
    }

    /// <summary>Where a row's metadata is: its data row's feed position column, or a row of <c>__liblim_rows</c> (not both: <see cref="ShadowRows"/> checks).</summary>
    private static async Task<Place> PlaceAsync(RelationReplica replica, string table, Guid id)
    {
        var meta = ShadowRows.Rows(replica.Open).SingleOrDefault(m => m.Table == table && m.Key == Key(id));
        if (meta is null)
        {
            return Place.None;
        }

        await using var db = replica.Open();
        var entityType = db.Model.GetEntityTypes().Single(e => e.GetTableName() == table);
        var sql = $"SELECT \"{RowMetadataNames.Seq}\" AS \"Value\" FROM \"{entityType.GetTableName()}\" WHERE \"{RowMetadataNames.Seq}\" = {{0}}";
        var inRow = await db.Database.SqlQueryRaw<long?>(sql, meta.Seq).AnyAsync();
        return inRow ? Place.Row : Place.ShadowTable;
    }
}
