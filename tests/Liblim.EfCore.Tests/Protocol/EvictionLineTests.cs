using System.Buffers;
using System.Text;
using Liblim.EfCore.Protocol;

namespace Liblim.EfCore.Tests.Protocol;

/// <summary><c>NOMOAR &lt;oid&gt;</c>: the eviction a server sends inside a batch (docs/protocol.md, section 6).</summary>
public class EvictionLineTests
{
    [Theory]
    [InlineData("Orders", "[\"a:b\",3]", "NOMOAR Orders/[\"a%3Ab\",3]\n")]
    [InlineData("shop.Orders", "[42]", "NOMOAR shop.Orders/[42]\n")]
    [InlineData("Odd/Table", "[\"x y\"]", "NOMOAR Odd%2FTable/[\"x%20y\"]\n")]
    public void An_eviction_is_written_as_its_oid_and_read_back_as_the_same_row(string table, string key, string line)
    {
        var message = new EvictMessage(table, key);

        Assert.Equal(line, Encoding.UTF8.GetString(MessageAssert.Written([message])));
        Assert.Equal(message, Assert.Single(MessageReader.ReadAll(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(line)))));
    }

    [Theory]
    [InlineData("NOMOAR")]
    [InlineData("NOMOAR ")]
    [InlineData("NOMOAR Orders")]
    [InlineData("NOMOAR Orders/")]
    [InlineData("NOMOAR Orders/[1] extra")]
    public void An_eviction_that_names_no_row_is_a_bad_row(string line)
    {
        var error = Assert.Throws<ProtocolException>(() => ProtocolParser.ParseLine(Encoding.UTF8.GetBytes(line)));

        Assert.Equal(ProtocolErrorCode.BadRow, error.Code);
        Assert.Contains("NOMOAR", error.Message, StringComparison.Ordinal);
    }
}
