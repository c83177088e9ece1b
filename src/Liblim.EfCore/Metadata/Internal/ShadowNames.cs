using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Liblim.EfCore.Metadata.Internal;

/// <summary>
/// The table and column names of Liblim's shadow tables as the model has them (a naming convention may
/// have renamed them), unquoted.
/// </summary>
internal sealed class ShadowNames
{
    public ShadowNames(IModel model)
    {
        var rows = model.FindEntityType(typeof(StoredShadowRow))!;
        RowsTable = (rows.GetTableName()!, rows.GetSchema());
        RowTableName = Column(rows, nameof(StoredShadowRow.TableName));
        RowKey = Column(rows, nameof(StoredShadowRow.RowKey));
        RowSeq = Column(rows, nameof(StoredShadowRow.Seq));
        RowClock = Column(rows, nameof(StoredShadowRow.Clock));
        RowColumnClocks = Column(rows, nameof(StoredShadowRow.ColumnClocks));
        RowAddTags = Column(rows, nameof(StoredShadowRow.AddTags));
        RowTombstones = Column(rows, nameof(StoredShadowRow.Tombstones));
        RowKeptValues = Column(rows, nameof(StoredShadowRow.KeptValues));
        RowHeld = Column(rows, nameof(StoredShadowRow.Held));
        RowAwaiting = Column(rows, nameof(StoredShadowRow.Awaiting));
        RowSource = Column(rows, nameof(StoredShadowRow.Source));

        FeedSequence = model.FindSequence(Conventions.ShadowTablesConvention.FeedSequence) is { } sequence ? (sequence.Name, sequence.Schema) : null;

        var state = model.FindEntityType(typeof(ReplicaState))!;
        StateTable = (state.GetTableName()!, state.GetSchema());
        StateId = Column(state, nameof(ReplicaState.Id));
        StateNodeId = Column(state, nameof(ReplicaState.NodeId));
        StateSeq = Column(state, nameof(ReplicaState.Seq));
        StateClock = Column(state, nameof(ReplicaState.Clock));
        StateRetiredNodeId = Column(state, nameof(ReplicaState.RetiredNodeId));
        StateCollectedSeq = Column(state, nameof(ReplicaState.CollectedSeq));

        var peers = model.FindEntityType(typeof(PeerWatermark))!;
        PeersTable = (peers.GetTableName()!, peers.GetSchema());
        PeerId = Column(peers, nameof(PeerWatermark.PeerId));
        PeerReceivedSeq = Column(peers, nameof(PeerWatermark.ReceivedSeq));
        PeerSentSeq = Column(peers, nameof(PeerWatermark.SentSeq));
        PeerReadHead = Column(peers, nameof(PeerWatermark.ReadHead));
        PeerOwner = Column(peers, nameof(PeerWatermark.Owner));
        PeerLastSync = Column(peers, nameof(PeerWatermark.LastSync));
        PeerAddress = Column(peers, nameof(PeerWatermark.Address));
        PeerLastError = Column(peers, nameof(PeerWatermark.LastError));
        PeerAckedSeq = Column(peers, nameof(PeerWatermark.AckedSeq));
        PeerAckedAt = Column(peers, nameof(PeerWatermark.AckedAt));
        PeerRejoining = Column(peers, nameof(PeerWatermark.Rejoining));

        var nodes = model.FindEntityType(typeof(KnownNode))!;
        NodesTable = (nodes.GetTableName()!, nodes.GetSchema());
        NodeNumber = Column(nodes, nameof(KnownNode.Number));
        NodeId = Column(nodes, nameof(KnownNode.NodeId));
        NodeCollectedTicks = Column(nodes, nameof(KnownNode.CollectedTicks));

        var peerRows = model.FindEntityType(typeof(PeerRow))!;
        PeerRowsTable = (peerRows.GetTableName()!, peerRows.GetSchema());
        PeerRowPeer = Column(peerRows, nameof(PeerRow.PeerId));
        PeerRowTable = Column(peerRows, nameof(PeerRow.TableName));
        PeerRowKey = Column(peerRows, nameof(PeerRow.RowKey));

        var refused = model.FindEntityType(typeof(RefusedRow))!;
        RefusedTable = (refused.GetTableName()!, refused.GetSchema());
        RefusedTableName = Column(refused, nameof(RefusedRow.TableName));
        RefusedKey = Column(refused, nameof(RefusedRow.RowKey));
        RefusedReason = Column(refused, nameof(RefusedRow.Reason));
        RefusedPeer = Column(refused, nameof(RefusedRow.PeerId));
        RefusedAt = Column(refused, nameof(RefusedRow.RefusedAt));

        var conflicts = model.FindEntityType(typeof(ConflictRow))!;
        ConflictsTable = (conflicts.GetTableName()!, conflicts.GetSchema());
        ConflictColumns =
        [
            .. new[]
            {
                nameof(ConflictRow.Id), nameof(ConflictRow.ColumnName), nameof(ConflictRow.TableName), nameof(ConflictRow.RowKey),
                nameof(ConflictRow.WinnerValue), nameof(ConflictRow.WinnerClock), nameof(ConflictRow.LoserValue), nameof(ConflictRow.LoserClock),
                nameof(ConflictRow.DecidedAt),
            }.Select(p => Column(conflicts, p)),
        ];
    }

    public (string Name, string? Schema) RowsTable { get; }

    /// <summary>The sequence feed positions are drawn from, where the database has one (PostgreSQL); else null.</summary>
    public (string Name, string? Schema)? FeedSequence { get; }
    public string RowTableName { get; }
    public string RowKey { get; }
    public string RowSeq { get; }
    public string RowClock { get; }
    public string RowColumnClocks { get; }
    public string RowAddTags { get; }
    public string RowTombstones { get; }
    public string RowKeptValues { get; }
    public string RowHeld { get; }
    public string RowAwaiting { get; }
    public string RowSource { get; }

    public (string Name, string? Schema) StateTable { get; }
    public string StateId { get; }
    public string StateNodeId { get; }
    public string StateSeq { get; }
    public string StateClock { get; }
    public string StateRetiredNodeId { get; }
    public string StateCollectedSeq { get; }

    public (string Name, string? Schema) PeersTable { get; }
    public string PeerId { get; }
    public string PeerReceivedSeq { get; }
    public string PeerSentSeq { get; }

    public string PeerReadHead { get; }

    public string PeerOwner { get; }

    public string PeerLastSync { get; }

    public string PeerAddress { get; }

    public string PeerLastError { get; }

    public string PeerAckedSeq { get; }

    public string PeerAckedAt { get; }

    public string PeerRejoining { get; }

    public (string Name, string? Schema) NodesTable { get; }
    public string NodeNumber { get; }
    public string NodeId { get; }
    public string NodeCollectedTicks { get; }

    public (string Name, string? Schema) PeerRowsTable { get; }
    public string PeerRowPeer { get; }
    public string PeerRowTable { get; }
    public string PeerRowKey { get; }

    public (string Name, string? Schema) RefusedTable { get; }
    public string RefusedTableName { get; }
    public string RefusedKey { get; }
    public string RefusedReason { get; }
    public string RefusedPeer { get; }
    public string RefusedAt { get; }

    public (string Name, string? Schema) ConflictsTable { get; }

    /// <summary>The journal's columns: id, column, table, key, winner's value and clock, loser's value and clock, decided at.</summary>
    public IReadOnlyList<string> ConflictColumns { get; }

    private static string Column(IEntityType entityType, string property)
    {
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        return entityType.FindProperty(property)!.GetColumnName(table)!;
    }
}
