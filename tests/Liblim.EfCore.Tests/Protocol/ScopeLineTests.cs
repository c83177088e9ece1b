using System.Buffers;
using System.Text;
using Liblim.EfCore.Protocol;

namespace Liblim.EfCore.Tests.Protocol;

/// <summary>
/// The lines a server with scope rules sends inside a batch (docs/protocol.md, section 6): <c>NOMOAR &lt;oid&gt;</c>, an
/// eviction, and <c>NOPE &lt;oid&gt; &lt;reason&gt;</c>, a refused write.
/// </summary>
public class ScopeLineTests
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

    [Theory]
    [InlineData("Orders", "[\"a:b\",3]", "outside this peer's scope", "NOPE Orders/[\"a%3Ab\",3] outside this peer's scope\n")]
    [InlineData("Notes", "[1]", "", "NOPE Notes/[1] \n")]
    public void A_refusal_is_written_as_its_oid_and_reason_and_read_back_the_same(string table, string key, string reason, string line)
    {
        var message = new RefusalMessage(table, key, reason);

        Assert.Equal(line, Encoding.UTF8.GetString(MessageAssert.Written([message])));
        Assert.Equal(message, Assert.Single(MessageReader.ReadAll(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(line)))));
    }

    [Fact]
    public void A_refusal_reason_with_a_line_break_stays_on_one_line()
    {
        var written = Encoding.UTF8.GetString(MessageAssert.Written([new RefusalMessage("T", "[1]", "first\nsecond")]));

        Assert.Equal("NOPE T/[1] first second\n", written);
    }

    [Theory]
    [InlineData("NOPE")]
    [InlineData("NOPE Orders")]
    [InlineData("NOPE Orders/ because")]
    public void A_refusal_that_names_no_row_is_a_bad_row(string line)
    {
        var error = Assert.Throws<ProtocolException>(() => ProtocolParser.ParseLine(Encoding.UTF8.GetBytes(line)));

        Assert.Equal(ProtocolErrorCode.BadRow, error.Code);
    }
}
