using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>
/// On the wire: a server speaks the protocol version its client offers, 2 or 1, and leaves every register's prior out
/// for a client of version 1, so that a release of Liblim from before priors still syncs (docs/protocol.md, section 3).
/// </summary>
public class ProtocolVersionTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_server_answers_the_version_its_client_offers_and_sends_priors_only_in_version_2(int version)
    {
        await using var server = await TcpPeer.StartAsync($"v{version}-server");
        var x = Guid.NewGuid();
        await Replicas.InsertAsync(server.Replica, new TodoItem { Id = x, Title = "milk" });
        await Replicas.EditAsync(server.Replica, x, i => i.Title = "oat milk"); // Title's register now has a prior

        await using var raw = await RawPeer.ConnectAsync(server.Server);
        await raw.GreetAndHaveAsync(version: version);
        await raw.SendAsync("KTHXBAI\n");
        Assert.StartsWith("UCANHAZ ", await raw.ReadLineAsync());
        var row = (await raw.ReadLineAsync())!;

        Assert.Equal(version, raw.ServerVersion);
        Assert.StartsWith($"Items/[\"{x}\"]:", row);
        Assert.Contains("\"c\":{\"Title\":", row);
        Assert.Equal(version == 2, row.Contains("\"p\":{\"Title\":", StringComparison.Ordinal));
    }
}
