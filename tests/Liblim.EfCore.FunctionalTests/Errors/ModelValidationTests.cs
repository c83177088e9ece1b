using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Errors;

/// <summary>Mappings Liblim cannot replicate are refused when the model is built, naming the entity and the fix.</summary>
public abstract class ModelValidationTests
{
    public sealed class OnSqlite : ModelValidationTests
    {
        protected override void UseDatabase(DbContextOptionsBuilder o) => o.UseSqlite("Data Source=:memory:");
    }

    public sealed class OnPostgres : ModelValidationTests
    {
        // Building a model needs no server: the connection is never opened.
        protected override void UseDatabase(DbContextOptionsBuilder o) => o.UseNpgsql("Host=127.0.0.1;Database=unused");
    }

    protected abstract void UseDatabase(DbContextOptionsBuilder o);

    public class IdentityKeyed { public int Id { get; set; } public string Name { get; set; } = ""; }
    public class AppKeyed { public int Id { get; set; } public string Name { get; set; } = ""; }
    public class Keyless { public string Name { get; set; } = ""; }
    public class Parent { public Guid Id { get; set; } public List<Line> Lines { get; set; } = []; }
    public class Line { public string Text { get; set; } = ""; }
    public class Versioned { public Guid Id { get; set; } public byte[] Version { get; set; } = []; }
    public class WithObject { public Guid Id { get; set; } public Uri? Link { get; set; } }
    public class Base { public Guid Id { get; set; } }
    public class Owner { public Guid Id { get; set; } public string Code { get; set; } = ""; }
    public class Owned { public Guid Id { get; set; } public Guid? OwnerId { get; set; } public string OwnerCode { get; set; } = ""; public string Name { get; set; } = ""; }
    public class Derived : Base { public string Extra { get; set; } = ""; }

    private sealed class Db(Action<DbContextOptionsBuilder> useDatabase, Action<ModelBuilder> build, bool useLiblim = true) : DbContext
    {
        protected override void OnConfiguring(DbContextOptionsBuilder o)
        {
            useDatabase(o);
            if (useLiblim)
            {
                o.UseLiblim();
            }

            o.ReplaceService<Microsoft.EntityFrameworkCore.Infrastructure.IModelCacheKeyFactory, NoCache>();
        }

        protected override void OnModelCreating(ModelBuilder b) => build(b);
    }

    private sealed class NoCache : Microsoft.EntityFrameworkCore.Infrastructure.IModelCacheKeyFactory
    {
        public object Create(DbContext context, bool designTime) => new object();
    }

    private ReplicationModelException Refused(Action<ModelBuilder> build)
        => Assert.Throws<ReplicationModelException>(() => new Db(UseDatabase, build).Model);

    [Fact]
    public void Replication_configured_in_a_context_without_UseLiblim_is_refused_with_the_fix()
    {
        var replicated = Assert.Throws<ReplicationModelException>(
            () => new Db(UseDatabase, b => b.Entity<AppKeyed>().IsReplicated().Property(x => x.Id).ValueGeneratedNever(), useLiblim: false).Model);
        var policy = Assert.Throws<ReplicationModelException>(
            () => new Db(UseDatabase, b => b.Entity<AppKeyed>().OnUniqueConflict(UniqueConflictPolicy.KeepLatest), useLiblim: false).Model);

        Assert.Contains("AppKeyed.IsReplicated() is configured in a model whose context does not call UseLiblim()", replicated.Message);
        Assert.Contains("drop Liblim's tables", replicated.Message);
        Assert.Contains("AppKeyed.OnUniqueConflict()", policy.Message);
        // The same model with UseLiblim() builds, and replicates the entity.
        using var db = new Db(UseDatabase, b => b.Entity<AppKeyed>().IsReplicated().Property(x => x.Id).ValueGeneratedNever());
        Assert.Equal(ReplicationKind.LastWriterWins, db.Model.FindEntityType(typeof(AppKeyed))!.GetReplicationKind());
    }

    [Fact]
    public void A_database_generated_key_is_refused_with_the_fix()
    {
        var e = Refused(b => b.Entity<IdentityKeyed>().IsReplicated());
        Assert.Contains("IdentityKeyed", e.Message);
        Assert.Contains("ValueGeneratedNever", e.Message);
    }

    [Fact]
    public void An_integer_key_the_app_assigns_is_accepted()
    {
        using var db = new Db(UseDatabase, b => b.Entity<AppKeyed>().IsReplicated().Property(x => x.Id).ValueGeneratedNever());
        var entity = db.Model.FindEntityType(typeof(AppKeyed))!;
        Assert.Equal(ReplicationKind.LastWriterWins, entity.GetReplicationKind());
        Assert.Equal(Microsoft.EntityFrameworkCore.Metadata.ValueGenerated.Never, entity.FindProperty(nameof(AppKeyed.Id))!.ValueGenerated);
        var table = Liblim.EfCore.Metadata.Internal.ReplicationModel.For(db.Model).FindMapping(entity)!.Table;
        Assert.Equal(["Id"], table.KeyColumns.Select(c => c.Name));
        Assert.Equal(["Name"], table.ValueColumns.Select(c => c.Name));
        Assert.Equal("[42]", table.EncodeKey([42]));
    }

    [Fact]
    public void A_keyless_entity_is_refused()
        => Assert.Contains("no key", Refused(b => b.Entity<Keyless>().HasNoKey().IsReplicated()).Message);

    [Fact]
    public void An_owned_collection_is_refused()
        => Assert.Contains("OwnsMany", Refused(b => b.Entity<Parent>().IsReplicated().OwnsMany(p => p.Lines)).Message);

    [Fact]
    public void A_row_version_set_by_the_database_is_refused()
        => Assert.Contains("Version", Refused(b => b.Entity<Versioned>().IsReplicated().Property(v => v.Version).IsRowVersion()).Message);

    [Fact]
    public void A_property_of_an_unsupported_type_is_refused()
        => Assert.Contains("Link", Refused(b => b.Entity<WithObject>().IsReplicated().Property(w => w.Link).HasConversion<Uri?>(v => v, v => v)).Message);

    [Fact]
    public void A_property_with_a_value_converter_to_a_supported_type_is_accepted()
    {
        // EF Core stores a Uri through its built-in converter to string: the column replicates as that string.
        using var db = new Db(UseDatabase, b => b.Entity<WithObject>().IsReplicated());
        var entity = db.Model.FindEntityType(typeof(WithObject))!;
        Assert.Equal(ReplicationKind.LastWriterWins, entity.GetReplicationKind());
        var link = Liblim.EfCore.Metadata.Internal.ReplicationModel.For(db.Model).FindMapping(entity)!.Table.FindColumn("Link")!;
        Assert.Equal(typeof(string), link.Mapping.Converter?.ProviderClrType);
        Assert.Equal("\"https://example.org/a?b=1\"", link.ToJson(new Uri("https://example.org/a?b=1")));
        Assert.Equal(new Uri("https://example.org/a?b=1"), link.FromJson("\"https://example.org/a?b=1\""));
    }

    [Fact]
    public void A_hierarchy_split_across_tables_is_refused()
        => Assert.Contains("TPT", Refused(b => { b.Entity<Base>().IsReplicated().UseTptMappingStrategy(); b.Entity<Derived>(); }).Message);

    [Fact]
    public void The_shadow_tables_are_part_of_the_model_so_migrations_create_them()
    {
        using var db = new Db(UseDatabase, b => b.Entity<AppKeyed>().IsReplicated().Property(x => x.Id).ValueGeneratedNever());
        var tables = db.Model.GetRelationalModel().Tables.Select(t => t.Name).ToList();
        Assert.Contains("__liblim_rows", tables);
        Assert.Contains("__liblim_state", tables);
        Assert.Contains("__liblim_peers", tables);
        Assert.Contains("__liblim_nodes", tables);
        var rows = db.Model.GetRelationalModel().Tables.Single(t => t.Name == "__liblim_rows");
        Assert.Equal("seq", rows.PrimaryKey!.Columns.Single().Name);
        Assert.Contains(rows.Indexes, i => i.Columns.Select(c => c.Name).SequenceEqual(["table_name", "row_key"]) && i.IsUnique);
    }

    [Fact]
    public void A_foreign_key_to_an_entity_that_is_not_replicated_is_refused_with_the_fix()
    {
        var e = Refused(b =>
        {
            b.Entity<Owner>();
            b.Entity<Owned>().IsReplicated().HasOne<Owner>().WithMany().HasForeignKey(o => o.OwnerId);
        });
        Assert.Contains("Owned", e.Message);
        Assert.Contains("OwnerId", e.Message);
        Assert.Contains("replicate 'Owner' too (IsReplicated)", e.Message);
    }

    [Fact]
    public void A_foreign_key_to_an_alternate_key_is_refused_with_the_fix()
    {
        var e = Refused(b =>
        {
            b.Entity<Owner>().IsReplicated();
            b.Entity<Owned>().IsReplicated().HasOne<Owner>().WithMany().HasForeignKey(o => o.OwnerCode).HasPrincipalKey(o => o.Code);
        });
        Assert.Contains("alternate key", e.Message);
        Assert.Contains("HasPrincipalKey", e.Message);
    }

    [Fact]
    public void A_unique_index_with_a_filter_is_refused()
        => Assert.Contains("HasFilter", Refused(b => b.Entity<Owned>().IsReplicated().HasIndex(o => o.Name).IsUnique().HasFilter("1 = 1")).Message);

    [Fact]
    public void Relationships_between_replicated_entities_and_unique_indexes_are_accepted_with_their_policy()
    {
        using var db = new Db(UseDatabase, b =>
        {
            b.Entity<Owner>().IsReplicated().OnUniqueConflict(UniqueConflictPolicy.KeepLatest).HasIndex(o => o.Code).IsUnique();
            b.Entity<Owned>().IsReplicated().HasOne<Owner>().WithMany().HasForeignKey(o => o.OwnerId).OnDelete(DeleteBehavior.SetNull);
        });
        Assert.Equal(UniqueConflictPolicy.KeepLatest, db.Model.FindEntityType(typeof(Owner))!.GetUniqueConflictPolicy());
        Assert.Equal(UniqueConflictPolicy.KeepEarliest, db.Model.FindEntityType(typeof(Owned))!.GetUniqueConflictPolicy());
        var model = Liblim.EfCore.Metadata.Internal.ReplicationModel.For(db.Model);
        var owned = model.Tables.Single(t => t.EntityName.EndsWith("Owned", StringComparison.Ordinal));
        var fk = Assert.Single(owned.ForeignKeys);
        Assert.False(fk.HoldsDependent); // SET NULL on a nullable column: projected, not held
        Assert.Single(model.Tables.Single(t => t.EntityName.EndsWith("Owner", StringComparison.Ordinal)).UniqueIndexes);
    }
}
