using Liblim.EfCore.Crdt;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Projection;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Tests.Projection;

/// <summary>
/// The decisions of a projection over loaded rows, without a database: what a table shows for each row, the data writes
/// and shadow rows that follow, and what the app is told.
/// </summary>
public class ProjectionPlannerTests
{
    private static readonly HybridTimestamp At = new(HybridTimestamp.Pack(1_700_000_000_000, 0), Guid.Parse("aaaaaaaa-0000-0000-0000-000000000000"));
    private static readonly ReplicationModel Model = BuildModel();
    private static readonly ReplicatedTable Parents = Model.FindTable("Parents")!;
    private static readonly ReplicatedTable Children = Model.FindTable("Children")!;

    [Fact]
    public void A_child_whose_parent_has_not_arrived_is_held_back_waiting_for_it_and_nothing_is_written_to_its_table()
    {
        var parent = Guid.NewGuid();
        var child = Child(Guid.NewGuid(), parent);

        var (writes, result) = Plan([child], new() { [(Parents.Name, Key(parent))] = RowStatus.Missing });

        Assert.Equal(RowStatus.Ineligible, child.Verdict!.Status);
        Assert.Empty(writes);
        var held = Assert.Single(result.HeldBack);
        Assert.Equal((HoldBackReason.MissingParent, "Parents", Key(parent)), (held.Reason, held.RelatedTable, held.RelatedKey));
        Assert.Equal(new ChangedRow("Children", child.Key, RowChange.HeldBack), Assert.Single(result.Changed));
        Assert.Contains(Key(parent), Assert.Single(result.Metadata).Awaiting);
    }

    [Fact]
    public void A_child_whose_parent_is_shown_is_inserted_with_its_values()
    {
        var parent = Guid.NewGuid();
        var child = Child(Guid.NewGuid(), parent);

        var (writes, result) = Plan([child], new() { [(Parents.Name, Key(parent))] = RowStatus.Visible });

        var insert = Assert.Single(writes);
        Assert.Equal((DataOpKind.Insert, "Children", child.Key), (insert.Kind, insert.Table, insert.Key));
        Assert.Equal(parent, insert.Row![Children.FindColumn("ParentId")!.Ordinal]);
        Assert.Equal(new ChangedRow("Children", child.Key, RowChange.Inserted), Assert.Single(result.Changed));
        Assert.Null(Assert.Single(result.Metadata).Held);
        Assert.Empty(result.HeldBack);
    }

    [Fact]
    public void A_deleted_parent_leaves_its_table_and_its_shown_child_is_held_back_for_it()
    {
        var parentId = Guid.NewGuid();
        var parent = Row(Parents, Key(parentId), [("Name", "\"gone\"")]);
        parent.State = parent.State!.Delete();
        parent.Data = [parentId, "gone"];
        var child = Child(Guid.NewGuid(), parentId);
        child.Changed = false;
        child.Data = [Guid.Parse(child.Key[2..^2]), parentId, "a child"];

        var (writes, result) = Plan([parent, child], []);

        Assert.Equal([(DataOpKind.Delete, "Children"), (DataOpKind.Delete, "Parents")], writes.Select(w => (w.Kind, w.Table)).Order());
        Assert.Contains(new ChangedRow("Parents", parent.Key, RowChange.Deleted), result.Changed);
        var held = Assert.Single(result.HeldBack);
        Assert.Equal((HoldBackReason.DeletedParent, child.Key), (held.Reason, held.Key));
    }

    [Fact]
    public void A_row_whose_table_already_shows_its_values_needs_no_write_and_changes_nothing_for_the_app()
    {
        var id = Guid.NewGuid();
        var parent = Row(Parents, Key(id), [("Name", "\"same\"")]);
        parent.Changed = false;
        parent.Data = [id, "same"];

        var (writes, result) = Plan([parent], []);

        Assert.Empty(writes);
        Assert.Empty(result.Changed);
        Assert.Empty(result.Metadata);
    }

    private static (List<DataOp> Writes, ReconcileResult Result) Plan(List<ReconcileRow> rows, Dictionary<(string, string), RowStatus> external)
    {
        var nodes = ProjectionPlanner.Decide(rows, external);
        return ProjectionPlanner.Outcome(rows, nodes, parsed: null);
    }

    private static ReconcileRow Child(Guid id, Guid parent)
        => Row(Children, Key(id), [("ParentId", $"\"{parent}\""), ("Title", "\"a child\"")]);

    private static ReconcileRow Row(ReplicatedTable table, string key, (string Column, string Json)[] values)
    {
        var state = RowState.Empty(table.Name, key).Insert(values.Select(v => KeyValuePair.Create(v.Column, (string?)v.Json)), At);
        var before = RowStateCodec.Encode(table, state, 1);
        return new ReconcileRow(table, key)
        {
            State = state,
            Before = before,
            MetadataLoaded = true,
            DataLoaded = true,
            Changed = true,
            Seq = 2,
        };
    }

    private static string Key(Guid id) => $"[\"{id}\"]";

    private static ReplicationModel BuildModel()
    {
        // Building the model opens no connection: nothing here touches a database.
        using var db = new FamilyDb(new DbContextOptionsBuilder<FamilyDb>().UseSqlite("Data Source=:memory:").UseLiblim().Options);
        return ReplicationModel.For(db.Model);
    }

    private sealed class Parent
    {
        public Guid Id { get; set; }

        public string Name { get; set; } = "";
    }

    private sealed class Kid
    {
        public Guid Id { get; set; }

        public Guid ParentId { get; set; }

        public Parent? Parent { get; set; }

        public string Title { get; set; } = "";
    }

    private sealed class FamilyDb(DbContextOptions<FamilyDb> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<Parent>().ToTable("Parents").IsReplicated();
            modelBuilder.Entity<Kid>().ToTable("Children").IsReplicated().HasOne(c => c.Parent).WithMany().HasForeignKey(c => c.ParentId);
        }
    }
}
