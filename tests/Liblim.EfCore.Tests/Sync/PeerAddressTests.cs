namespace Liblim.EfCore.Tests.Sync;

/// <summary>Which transport a peer's address selects, and the WebSocket address an http(s) address names.</summary>
public class PeerAddressTests
{
    [Theory]
    [InlineData("liblim://hub:4242", false)]
    [InlineData("liblims://hub", false)]
    [InlineData("ws://127.0.0.1:5000/liblim", true)]
    [InlineData("wss://shop.example/liblim", true)]
    [InlineData("http://127.0.0.1:5000/liblim", true)]
    [InlineData("https://shop.example/liblim", true)]
    public void An_address_selects_tcp_or_a_websocket_by_its_scheme(string address, bool webSocket)
        => Assert.Equal(webSocket, LiblimPeerAddress.IsWebSocket(new Uri(address)));

    [Theory]
    [InlineData("https://shop.example/liblim", "wss://shop.example/liblim")]
    [InlineData("http://127.0.0.1:5000/sync/liblim", "ws://127.0.0.1:5000/sync/liblim")]
    [InlineData("wss://shop.example:8443/liblim", "wss://shop.example:8443/liblim")]
    public void An_http_address_names_the_websocket_of_the_same_endpoint(string address, string webSocket)
        => Assert.Equal(new Uri(webSocket), LiblimPeerAddress.WebSocketUri(new Uri(address)));

    [Theory]
    [InlineData("ftp://hub/liblim")]
    [InlineData("liblim:///no-host")]
    public void Another_address_is_refused_with_the_forms_it_may_take(string address)
    {
        var error = Assert.Throws<ArgumentException>(() => LiblimPeerAddress.Parse(new Uri(address)));
        Assert.Contains("wss://", error.Message);
    }
}
