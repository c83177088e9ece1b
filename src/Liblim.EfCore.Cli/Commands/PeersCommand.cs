using Liblim.EfCore.Cli.Inspection;
using Liblim.EfCore.Cli.Output;
using Liblim.EfCore.Cli.Reports;

namespace Liblim.EfCore.Cli.Commands;

/// <summary><c>liblim peers --db X</c>: each peer, how its last session went, how far each side has the other's feed, and what is pending for it.</summary>
internal static class PeersCommand
{
    public static async Task<int> RunAsync(Arguments args, TextWriter output, CancellationToken ct)
    {
        args.Expect();
        var replica = await InspectedReplica.OpenAsync(args.Database(), guidKeys: false, ct).ConfigureAwait(false);
        await using (replica.ConfigureAwait(false))
        {
            var peers = await PeerReport.ReadAsync(replica, ct).ConfigureAwait(false);
            if (args.Json)
            {
                Json.Write(output, new { Database = replica.Address.Display, Peers = peers });
                return ExitCodes.Ok;
            }

            if (peers.Count == 0)
            {
                output.WriteLine($"{replica.Address.Display} has synced with no peer yet");
                return ExitCodes.Ok;
            }

            var table = new TextTable("node id", "address", "last sync", "applied", "acknowledged", "sent", "pending", "last error");
            foreach (var peer in peers)
            {
                table.Add(peer.NodeId.ToString(), peer.Address ?? "-", Text.Time(peer.LastSync), Text.Number(peer.Applied),
                    peer.Acknowledged is { } acked ? Text.Number(acked) + (peer.Rejoining ? " (rejoining)" : "") : "-",
                    Text.Number(peer.Sent), Text.Number(peer.Pending), peer.LastError?.ReplaceLineEndings(" ") ?? "-");
            }

            table.WriteTo(output);
            return ExitCodes.Ok;
        }
    }
}
