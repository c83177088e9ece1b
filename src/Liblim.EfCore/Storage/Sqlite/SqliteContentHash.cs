using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Liblim.EfCore.Storage.Sqlite;

/// <summary>
/// SQLite has no hash function of its own: this one, registered on the connection, gives the first 56 bits of the
/// SHA-256 of a row's values as SQLite stores them, each written with its storage class and length, so that no two
/// lists of values run together.
/// </summary>
internal static class SqliteContentHash
{
    public const string FunctionName = "liblim_content_hash";

    /// <summary>Registers the function on the connection (again after each open: SQLite keeps it with the open handle).</summary>
    public static void Register(SqliteConnection connection)
        => connection.CreateFunction(FunctionName, (object?[] values) => Of(values), isDeterministic: true);

    /// <summary>The hash of stored values: integers, reals, texts, blobs and nulls.</summary>
    public static long Of(IReadOnlyList<object?> values)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> head = stackalloc byte[9];
        foreach (var value in values)
        {
            var bytes = value switch
            {
                null or DBNull => [],
                long l => BitConverter.GetBytes(l),
                double d => BitConverter.GetBytes(d),
                string s => Encoding.UTF8.GetBytes(s),
                byte[] b => b,
                _ => Encoding.UTF8.GetBytes(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? ""),
            };
            head[0] = value switch { null or DBNull => 0, long => 1, double => 2, string => 3, _ => 4 };
            BinaryPrimitives.WriteInt64LittleEndian(head[1..], bytes.Length);
            sha.AppendData(head);
            sha.AppendData(bytes);
        }

        Span<byte> digest = stackalloc byte[32];
        sha.GetHashAndReset(digest);
        return (long)(BinaryPrimitives.ReadUInt64BigEndian(digest) >> 8);
    }
}
