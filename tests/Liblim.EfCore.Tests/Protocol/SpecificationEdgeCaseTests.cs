using Liblim.EfCore.Protocol;

namespace Liblim.EfCore.Tests.Protocol;

/// <summary>
/// Edge cases where a lenient parser would accept what docs/protocol.md refuses or reads otherwise (each was
/// found accepted once, and fixed).
/// </summary>
public class SpecificationEdgeCaseTests
{
    private const string Ts = "019ab697e8000000.af025bd5ad21412c968ba7ee58795f56";
    private const string Ts2 = "019ab69c7be00000.015e46ca9ebf4e4791e3ea6186af56cc";
    private const string Nonce = "4f1c9a0e2b7d4c6a8e3f5a1b9c0d2e4f";

    private static ProtocolErrorCode ErrorOf(string line)
        => Assert.Throws<ProtocolException>(() => MessageAssert.ParseLine(line)).Code;

    [Fact]
    public void Ohnoes_closed_is_no_wire_code_and_reads_as_internal()
    {
        Assert.Equal(new ErrorMessage(ProtocolErrorCode.Internal, "x"), MessageAssert.ParseLine("OHNOES closed x"));
    }

    [Theory]
    [InlineData("T/[1]:{\"v\":{\"x\":1},\"c\":{\"x\":\"" + Ts + "\"},\"a\":[\"" + Ts + "\"]}")]
    [InlineData("T/[1]:{\"v\":{},\"a\":[\"" + Ts + "\"]}")]
    public void Values_without_a_base_clock_are_a_bad_row_even_when_every_column_has_its_own(string line)
    {
        Assert.Equal(ProtocolErrorCode.BadRow, ErrorOf(line));
    }

    [Theory]
    [InlineData("KTHXBAI {\"received\":3,\"applied\":2,\"extra\":\"x\"}")]
    [InlineData("KTHXBAI {\"extra\":{\"nested\":[1,{\"deeper\":null}]},\"received\":3,\"applied\":2}")]
    [InlineData("KTHXBAI {\"received\":3,\"later\":-1,\"applied\":2}")]
    public void Kthxbai_ignores_members_it_does_not_know_whatever_they_hold(string line)
    {
        Assert.Equal(new ByeMessage(3, 2), MessageAssert.ParseLine(line));
    }

    [Theory]
    [InlineData("T/[1]:{\"a\":[\"" + Ts + "\"],\"a\":[\"" + Ts2 + "\"]}")]
    [InlineData("T/[1]:{\"t\":\"" + Ts + "\",\"v\":{\"x\":1},\"v\":{\"y\":2}}")]
    public void A_row_state_member_given_twice_is_a_bad_row(string line)
    {
        Assert.Equal(ProtocolErrorCode.BadRow, ErrorOf(line));
    }

    [Theory]
    [InlineData("ØHAI 1 AF025BD5-AD21-412C-968B-A7EE58795F56 " + Nonce)]
    [InlineData("IHAZ {\"AF025BD5-AD21-412C-968B-A7EE58795F56\":1}")]
    public void An_uppercase_node_id_is_a_bad_line(string line)
    {
        Assert.Equal(ProtocolErrorCode.BadLine, ErrorOf(line));
    }
}
