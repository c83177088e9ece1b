using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>liblims:// runs the same protocol inside TLS; a certificate the client does not trust stops it.</summary>
public class TlsTests
{
    [Fact]
    public async Task Peers_sync_over_tls_when_the_client_trusts_the_server_certificate()
    {
        using var certificate = SelfSigned();
        await using var server = await TcpPeer.StartAsync("tls-server", o => o with { Certificate = certificate });
        using var client = new SqliteReplica("tls-client");
        var id = Guid.NewGuid();
        await Replicas.InsertAsync(server.Replica, new TodoItem { Id = id, Title = "over tls" });

        await using var db = client.Open();
        var options = new LiblimClientOptions
        {
            Secret = TcpPeer.Secret,
            CertificateValidation = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == certificate.GetCertHashString(),
        };
        var result = await db.Liblim().SyncWithAsync(new Uri($"liblims://127.0.0.1:{server.Server.Endpoint.Port}"), options);

        Assert.Equal(1, result.RowsApplied);
        Assert.Equal("over tls", Replicas.Find(client, id)?.Title);
    }

    [Fact]
    public async Task An_untrusted_certificate_fails_the_sync_with_a_typed_error()
    {
        using var certificate = SelfSigned();
        await using var server = await TcpPeer.StartAsync("tls-server", o => o with { Certificate = certificate });
        using var client = new SqliteReplica("tls-client");

        await using var db = client.Open();
        var error = await Assert.ThrowsAsync<ProtocolException>(() => db.Liblim().SyncWithAsync(new Uri($"liblims://127.0.0.1:{server.Server.Endpoint.Port}"), TcpPeer.Secret));

        Assert.Equal(ProtocolErrorCode.AuthenticationFailed, error.Code);
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
