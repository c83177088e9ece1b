using Liblim.EfCore.Writes;

namespace Liblim.EfCore.Cli.Reports;

/// <summary>Names for the node ids a replica knows: itself, and the peers it has synced with by their last address.</summary>
internal sealed class NodeLabels(Guid? self, IEnumerable<(Guid Node, string? Address)> peers)
{
    private readonly Dictionary<Guid, string> _labels = peers.Where(p => p.Address is not null).ToDictionary(p => p.Node, p => "peer " + p.Address!);

    public string? Of(Guid node)
        => node == self ? "this replica"
            : node == RowAdoption.Node ? "adopted"
            : _labels.GetValueOrDefault(node);
}
