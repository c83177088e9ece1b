using System.Security.Claims;

namespace Liblim.EfCore;

/// <summary>
/// Who a sync session is with. Over ASP.NET Core the user is the one the endpoint authenticated (<c>HttpContext.User</c>);
/// over TCP it is the node that proved the shared secret, with the claims <see cref="LiblimServerOptions.ClaimsForPeer"/>
/// gives it.
/// </summary>
/// <param name="NodeId">The node id the peer's greeting names.</param>
/// <param name="User">Who the peer is.</param>
/// <param name="RemoteAddress">Where it connects from, when known.</param>
public sealed record LiblimPeer(Guid NodeId, ClaimsPrincipal User, string? RemoteAddress)
{
    /// <summary>The value of the peer's first claim of a type; null when it has none.</summary>
    public string? Claim(string type) => User.FindFirst(type)?.Value;
}
