using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace EdgeToCentral;

/// <summary>
/// A hub process of the centre: an ordinary ASP.NET Core app on its own port, whose JWT bearer authentication decides
/// who may sync (the demo issues the tokens itself; a real app takes them from its identity provider).
/// </summary>
internal sealed class CentralHub : IAsyncDisposable
{
    private static readonly SymmetricSecurityKey SigningKey = new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private readonly WebApplication _app;

    private CentralHub(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The hub's sync endpoint.</summary>
    public Uri Address { get; }

    public static async Task<CentralHub> StartAsync(string name, string connectionString)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        // Its own connection pool on the central database, as a separate hub process has.
        builder.Services.AddDbContextFactory<ShopDb>(o => o.UseNpgsql($"{connectionString};Application Name={name}").UseLiblim());
        builder.Services.AddAuthentication().AddJwtBearer(o =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = new TokenValidationParameters { ValidIssuer = "edge-to-central", ValidAudience = "shop-hub", IssuerSigningKey = SigningKey };
        });
        builder.Services.AddAuthorization();
        // Each shop reads and records only its own sales; every shop reads and edits the catalogue.
        builder.Services.AddLiblimHub<ShopDb>(o => o
            .Scope<Sale>((sale, peer) => sale.Shop == peer.Claim("shop"))
            .Scope<Product>((product, peer) => true));
        builder.Services.AddHealthChecks().AddLiblim<ShopDb>();

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapLiblim<ShopDb>("/liblim").RequireAuthorization();
        app.MapHealthChecks("/health");
        await app.StartAsync();
        var http = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new CentralHub(app, new Uri($"ws://127.0.0.1:{http.Port}/liblim"));
    }

    /// <summary>A token for a shop, as the app's identity provider would issue it.</summary>
    public static string TokenFor(string shop) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "edge-to-central",
        Audience = "shop-hub",
        Subject = new ClaimsIdentity([new Claim("sub", shop), new Claim("shop", shop)]),
        Expires = DateTime.UtcNow.AddMinutes(10),
        SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.HmacSha256),
    });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
