using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Liblim.EfCore.Crdt;

namespace Liblim.EfCore.Cli.Comparison;

/// <summary>
/// 128-bit digests (SHA-256, cut short) of a row's identity and of its logical replicated state: its add tags and
/// tombstones, and each column's value, clock and prior (the clock of the write it replaced), all with full node ids (never a database's local node numbers), values
/// in the form <see cref="ValueForms"/> compares them in. Two replicas hold the same state of a row exactly when the
/// digests are equal (but for a collision, at odds of 2^-64 among billions of rows).
/// </summary>
internal sealed class StateDigest(ValueForms forms)
{
    private readonly StringBuilder _text = new();

    /// <summary>The digest of a row's table and key.</summary>
    public static UInt128 Key(string table, string key) => Hash(string.Concat(table, "\0", key));

    /// <summary>The digest of a row's state.</summary>
    public UInt128 Of(RowState state)
    {
        _text.Clear();
        Tags(state.AddTags);
        Tags(state.Tombstones);
        foreach (var (name, register) in state.Columns)
        {
            _text.Append(name).Append('\0')
                .Append(forms.Of(state.Table, name, register.Json) ?? "\u0001") // not loaded: a data row gone, unlike any JSON
                .Append('\0').Append(register.Clock.ToString())
                .Append('\0').Append(register.Prior?.ToString() ?? "-").Append('\n');
        }

        return Hash(_text.ToString());
    }

    private void Tags(IEnumerable<HybridTimestamp> tags)
    {
        foreach (var tag in tags)
        {
            _text.Append(tag.ToString()).Append(',');
        }

        _text.Append('\n');
    }

    private static UInt128 Hash(string text)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return BinaryPrimitives.ReadUInt128LittleEndian(hash);
    }
}
