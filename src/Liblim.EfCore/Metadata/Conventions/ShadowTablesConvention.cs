using Liblim.EfCore.Metadata.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;

namespace Liblim.EfCore.Metadata.Conventions;

/// <summary>
/// Adds Liblim's shadow tables to every model that uses Liblim, so that migrations and EnsureCreated create
/// them with the app's own tables.
/// </summary>
internal sealed class ShadowTablesConvention(bool feedSequence) : IModelInitializedConvention, IModelFinalizingConvention
{
    /// <summary>
    /// The sequence that hands out feed positions where several transactions write at once (PostgreSQL; see
    /// <c>ShadowStore.Positions</c>).
    /// </summary>
    public const string FeedSequence = "__liblim_positions";

    /// <summary>The table of per-row replication metadata.</summary>
    public const string RowsTable = "__liblim_rows";

    /// <summary>The single-row table of node id, change sequence and clock.</summary>
    public const string StateTable = "__liblim_state";

    /// <summary>The table of per-peer watermarks and fences.</summary>
    public const string PeersTable = "__liblim_peers";

    /// <summary>The table of the local numbers of node ids, which stored clocks and sources use.</summary>
    public const string NodesTable = "__liblim_nodes";

    /// <summary>The table of this replica's writes that a server refused.</summary>
    public const string RefusedTable = "__liblim_refused";

    /// <summary>The conflict journal: columns merges decided between concurrent writes.</summary>
    public const string ConflictsTable = "__liblim_conflicts";

    /// <summary>The table of the rows a server has sent each peer it serves by scope.</summary>
    public const string PeerRowsTable = "__liblim_peer_rows";

    public void ProcessModelInitialized(IConventionModelBuilder modelBuilder, IConventionContext<IConventionModelBuilder> context)
    {
        var rows = modelBuilder.Entity(typeof(StoredShadowRow), fromDataAnnotation: true)!;
        rows.ToTable(RowsTable);
        Column(rows, nameof(StoredShadowRow.TableName), "table_name", required: true);
        Column(rows, nameof(StoredShadowRow.RowKey), "row_key", required: true);
        Column(rows, nameof(StoredShadowRow.Seq), "seq", required: true).ValueGenerated(Microsoft.EntityFrameworkCore.Metadata.ValueGenerated.Never, fromDataAnnotation: true);
        Column(rows, nameof(StoredShadowRow.Clock), "clock", required: true);
        Column(rows, nameof(StoredShadowRow.ColumnClocks), "column_clocks", required: false);
        Column(rows, nameof(StoredShadowRow.AddTags), "add_tags", required: false);
        Column(rows, nameof(StoredShadowRow.Tombstones), "tombstones", required: false);
        Column(rows, nameof(StoredShadowRow.KeptValues), "kept_values", required: false);
        Column(rows, nameof(StoredShadowRow.Source), "source", required: false);
        Column(rows, nameof(StoredShadowRow.Held), "held", required: false);
        Column(rows, nameof(StoredShadowRow.Awaiting), "awaiting", required: false);
        // Keyed by seq (on SQLite the rowid, so the change feed needs no index of its own); the upsert of a row finds
        // it by table and key.
        rows.PrimaryKey([nameof(StoredShadowRow.Seq)])!.HasName("pk_liblim_rows");
        rows.HasIndex([nameof(StoredShadowRow.TableName), nameof(StoredShadowRow.RowKey)])!.IsUnique(true)!.HasDatabaseName("ix_liblim_rows_key");
        // Only rows held back or projected have a value here: a partial index stays as small as they are few.
        rows.HasIndex([nameof(StoredShadowRow.Awaiting)])!.HasFilter("awaiting IS NOT NULL")!.HasDatabaseName("ix_liblim_rows_awaiting");

        var state = modelBuilder.Entity(typeof(ReplicaState), fromDataAnnotation: true)!;
        state.ToTable(StateTable);
        Column(state, nameof(ReplicaState.Id), "id", required: true).ValueGenerated(Microsoft.EntityFrameworkCore.Metadata.ValueGenerated.Never, fromDataAnnotation: true);
        Column(state, nameof(ReplicaState.NodeId), "node_id", required: false);
        Column(state, nameof(ReplicaState.Seq), "seq", required: true);
        Column(state, nameof(ReplicaState.Clock), "clock", required: true);
        Column(state, nameof(ReplicaState.RetiredNodeId), "retired_node_id", required: false);
        Column(state, nameof(ReplicaState.CollectedSeq), "collected_seq", required: false);
        state.PrimaryKey([nameof(ReplicaState.Id)])!.HasName("pk_liblim_state");

        var peers = modelBuilder.Entity(typeof(PeerWatermark), fromDataAnnotation: true)!;
        peers.ToTable(PeersTable);
        Column(peers, nameof(PeerWatermark.PeerId), "peer_id", required: true);
        Column(peers, nameof(PeerWatermark.ReceivedSeq), "received_seq", required: true);
        Column(peers, nameof(PeerWatermark.SentSeq), "sent_seq", required: false);
        Column(peers, nameof(PeerWatermark.ReadHead), "read_head", required: false);
        Column(peers, nameof(PeerWatermark.Owner), "owner", required: false);
        Column(peers, nameof(PeerWatermark.LastSync), "last_sync", required: false);
        Column(peers, nameof(PeerWatermark.Address), "address", required: false);
        Column(peers, nameof(PeerWatermark.LastError), "last_error", required: false);
        Column(peers, nameof(PeerWatermark.AckedSeq), "acked_seq", required: false);
        Column(peers, nameof(PeerWatermark.AckedAt), "acked_at", required: false);
        Column(peers, nameof(PeerWatermark.Rejoining), "rejoining", required: false);
        peers.PrimaryKey([nameof(PeerWatermark.PeerId)])!.HasName("pk_liblim_peers");

        var nodes = modelBuilder.Entity(typeof(KnownNode), fromDataAnnotation: true)!;
        nodes.ToTable(NodesTable);
        Column(nodes, nameof(KnownNode.Number), "number", required: true).ValueGenerated(Microsoft.EntityFrameworkCore.Metadata.ValueGenerated.Never, fromDataAnnotation: true);
        Column(nodes, nameof(KnownNode.NodeId), "node_id", required: true);
        Column(nodes, nameof(KnownNode.CollectedTicks), "collected_ticks", required: false);
        nodes.PrimaryKey([nameof(KnownNode.Number)])!.HasName("pk_liblim_nodes");
        nodes.HasIndex([nameof(KnownNode.NodeId)])!.IsUnique(true)!.HasDatabaseName("ix_liblim_nodes_node_id");

        var peerRows = modelBuilder.Entity(typeof(PeerRow), fromDataAnnotation: true)!;
        peerRows.ToTable(PeerRowsTable);
        Column(peerRows, nameof(PeerRow.PeerId), "peer_id", required: true);
        Column(peerRows, nameof(PeerRow.TableName), "table_name", required: true);
        Column(peerRows, nameof(PeerRow.RowKey), "row_key", required: true);
        peerRows.PrimaryKey([nameof(PeerRow.PeerId), nameof(PeerRow.TableName), nameof(PeerRow.RowKey)])!.HasName("pk_liblim_peer_rows");

        var refused = modelBuilder.Entity(typeof(RefusedRow), fromDataAnnotation: true)!;
        refused.ToTable(RefusedTable);
        Column(refused, nameof(RefusedRow.TableName), "table_name", required: true);
        Column(refused, nameof(RefusedRow.RowKey), "row_key", required: true);
        Column(refused, nameof(RefusedRow.Reason), "reason", required: true);
        Column(refused, nameof(RefusedRow.PeerId), "peer_id", required: true);
        Column(refused, nameof(RefusedRow.RefusedAt), "refused_at", required: true);
        refused.PrimaryKey([nameof(RefusedRow.TableName), nameof(RefusedRow.RowKey)])!.HasName("pk_liblim_refused");

        var conflicts = modelBuilder.Entity(typeof(ConflictRow), fromDataAnnotation: true)!;
        conflicts.ToTable(ConflictsTable);
        Column(conflicts, nameof(ConflictRow.Id), "id", required: true).ValueGenerated(Microsoft.EntityFrameworkCore.Metadata.ValueGenerated.OnAdd, fromDataAnnotation: true);
        Column(conflicts, nameof(ConflictRow.ColumnName), "column_name", required: true);
        Column(conflicts, nameof(ConflictRow.TableName), "table_name", required: true);
        Column(conflicts, nameof(ConflictRow.RowKey), "row_key", required: true);
        Column(conflicts, nameof(ConflictRow.WinnerValue), "winner_value", required: false);
        Column(conflicts, nameof(ConflictRow.WinnerClock), "winner_clock", required: false);
        Column(conflicts, nameof(ConflictRow.LoserValue), "loser_value", required: true);
        Column(conflicts, nameof(ConflictRow.LoserClock), "loser_clock", required: true);
        Column(conflicts, nameof(ConflictRow.DecidedAt), "decided_at", required: true);
        conflicts.PrimaryKey([nameof(ConflictRow.Id)])!.HasName("pk_liblim_conflicts");
        // A lost write is recorded once, however often (and through whichever peers) it arrives again; found by row too.
        conflicts.HasIndex([nameof(ConflictRow.TableName), nameof(ConflictRow.RowKey), nameof(ConflictRow.ColumnName), nameof(ConflictRow.LoserClock)])!
            .IsUnique(true)!.HasDatabaseName("ix_liblim_conflicts_lost_write");
        conflicts.HasIndex([nameof(ConflictRow.DecidedAt)])!.HasDatabaseName("ix_liblim_conflicts_decided_at");

        if (feedSequence)
        {
            // One position at a time, none cached ahead by a session (a position drawn is above the sequence's last value as
            // any transaction read it before), and below 2^48 (the watermark's locks carry it in 48 bits).
            modelBuilder.HasSequence(FeedSequence, fromDataAnnotation: true)!.HasType(typeof(long), fromDataAnnotation: true)!
                .StartsAt(1, fromDataAnnotation: true)!.IncrementsBy(1, fromDataAnnotation: true)!.HasMax((1L << 48) - 1, fromDataAnnotation: true);
        }
    }

    /// <summary>
    /// EF's migrations history repository builds a model of its own with the context's conventions: Liblim's
    /// tables are not part of it (else migrating would create them before the first migration does).
    /// </summary>
    public void ProcessModelFinalizing(IConventionModelBuilder modelBuilder, IConventionContext<IConventionModelBuilder> context)
    {
        if (modelBuilder.Metadata.FindEntityType(typeof(Microsoft.EntityFrameworkCore.Migrations.HistoryRow)) is null)
        {
            return;
        }

        foreach (var type in new[] { typeof(StoredShadowRow), typeof(ReplicaState), typeof(PeerWatermark), typeof(KnownNode), typeof(PeerRow), typeof(RefusedRow), typeof(ConflictRow) })
        {
            if (modelBuilder.Metadata.FindEntityType(type) is { } entityType)
            {
                modelBuilder.HasNoEntityType(entityType, fromDataAnnotation: true);
            }
        }

        modelBuilder.Metadata.RemoveSequence(FeedSequence);
    }

    private static IConventionPropertyBuilder Column(IConventionEntityTypeBuilder entity, string property, string column, bool required)
    {
        var p = entity.Property(entity.Metadata.ClrType.GetProperty(property)!)!;
        p.HasColumnName(column);
        p.IsRequired(required);
        return p;
    }
}
