using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Liblim.EfCore.FunctionalTests.Hub;

/// <summary>JWTs signed with the test's own key, as an identity provider would issue them to devices.</summary>
public static class TestTokens
{
    public const string Issuer = "liblim-tests";
    public const string Audience = "liblim-hub";

    /// <summary>The key the hub trusts.</summary>
    public static readonly SymmetricSecurityKey Key = new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>A key the hub does not trust.</summary>
    public static readonly SymmetricSecurityKey WrongKey = new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>A token for the device, valid for <paramref name="lifetime"/> from now (negative: expired already), with <paramref name="claims"/> besides.</summary>
    public static string For(string device, TimeSpan lifetime, SymmetricSecurityKey? key = null, string? scope = null, IEnumerable<Claim>? claims = null)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim("sub", device), .. scope is null ? [] : new[] { new Claim("scope", scope) }, .. claims ?? []]),
            NotBefore = lifetime < TimeSpan.Zero ? now + lifetime - TimeSpan.FromMinutes(1) : now.AddSeconds(-1),
            IssuedAt = lifetime < TimeSpan.Zero ? now + lifetime - TimeSpan.FromMinutes(1) : now.AddSeconds(-1),
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(key ?? Key, SecurityAlgorithms.HmacSha256),
        });
    }

    public static TokenValidationParameters Validation => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = Key,
        ClockSkew = TimeSpan.Zero,
    };
}
