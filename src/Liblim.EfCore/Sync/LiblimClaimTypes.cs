namespace Liblim.EfCore;

/// <summary>The claim types Liblim gives the users of its sessions (<see cref="LiblimPeer.User"/>).</summary>
public static class LiblimClaimTypes
{
    /// <summary>The node id a peer proved the shared secret for, in the 8-4-4-4-12 form.</summary>
    public const string NodeId = "liblim:node_id";
}
