using Liblim.EfCore.Protocol;

namespace Liblim.EfCore.Tests.Protocol;

/// <summary>Each malformed line is refused with the error code the specification gives it, never another exception.</summary>
public class ParserErrorTests
{
    private const string Node = "af025bd5-ad21-412c-968b-a7ee58795f56";
    private const string Nonce = "4f1c9a0e2b7d4c6a8e3f5a1b9c0d2e4f";
    private const string Ts = "019ab697e8000000.af025bd5ad21412c968ba7ee58795f56";
    private const string Ts2 = "019ab69c7be00000.015e46ca9ebf4e4791e3ea6186af56cc";

    private static ProtocolErrorCode ErrorOf(byte[] line)
        => Assert.Throws<ProtocolException>(() => ProtocolParser.ParseLine(line)).Code;

    private static ProtocolErrorCode ErrorOf(string line) => ErrorOf(System.Text.Encoding.UTF8.GetBytes(line));

    [Theory]
    [InlineData("FF")]                      // never valid in UTF-8
    [InlineData("C3")]                      // the first byte of 'Ø' alone
    [InlineData("C3 20 31")]                // a lead byte followed by no continuation byte
    [InlineData("C0 AF")]                   // overlong '/'
    [InlineData("ED A0 80")]                // an encoded surrogate
    [InlineData("F4 90 80 80")]             // beyond U+10FFFF
    [InlineData("55 43 41 4E 48 41 5A 20 31 80")] // "UCANHAZ 1" and a stray continuation byte
    [InlineData("54 2F 5B 31 5D 3A 7B 22 74 22 3A 22 FE 22 7D")] // a row line: T/[1]:{"t":"<FE>"}
    public void Invalid_utf8_is_a_bad_line(string hex)
    {
        Assert.Equal(ProtocolErrorCode.BadLine, ErrorOf(Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal))));
    }

    [Theory]
    [InlineData("HELLO x")]
    [InlineData("ohai 1")]
    [InlineData("OHAI 1 " + Node + " " + Nonce)]      // O, not Ø
    [InlineData("øHAI 1 " + Node + " " + Nonce)]      // verbs are case-sensitive
    [InlineData("ihaz {}")]
    [InlineData(" UCANHAZ 1")]
    [InlineData("KTHXBAI\t{}")]
    [InlineData("UCANHAZ\t1")]
    [InlineData("T /[1]:{}")]                           // a space before the colon: no row line
    public void A_line_that_is_neither_a_verb_nor_a_row_is_an_unknown_verb(string line)
    {
        Assert.Equal(ProtocolErrorCode.UnknownVerb, ErrorOf(line));
    }

    [Theory]
    [InlineData("ØHAI")]
    [InlineData("ØHAI ")]
    [InlineData("ØHAI x " + Node + " " + Nonce)]
    [InlineData("ØHAI 0 " + Node + " " + Nonce)]
    [InlineData("ØHAI -1 " + Node + " " + Nonce)]
    [InlineData("ØHAI 1.0 " + Node + " " + Nonce)]
    [InlineData("ØHAI  1 " + Node + " " + Nonce)]
    [InlineData("ØHAI 1 " + Node + " " + Nonce + " ")]
    [InlineData("ØHAI 1 not-a-uuid " + Nonce)]
    [InlineData("ØHAI 1 af025bd5ad21412c968ba7ee58795f56 " + Nonce)]
    [InlineData("ØHAI 1 {af025bd5-ad21-412c-968b-a7ee58795f56} " + Nonce)]
    [InlineData("ØHAI 1 " + Node)]
    [InlineData("ØHAI 1 " + Node + " 4f1c9a0e2b7d4c6a8e3f5a1b9c0d2e4")]   // 31 digits
    [InlineData("ØHAI 1 " + Node + " 4f1c9a0e2b7d4c6a8e3f5a1b9c0d2e4f0")] // 33 digits
    [InlineData("ØHAI 1 " + Node + " 4F1C9A0E2B7D4C6A8E3F5A1B9C0D2E4F")]  // uppercase
    [InlineData("ØHAI 1 " + Node + " 4g1c9a0e2b7d4c6a8e3f5a1b9c0d2e4f")]  // not hex
    [InlineData("ØHAI 1 " + Node + " " + Nonce + " LIVE")]
    [InlineData("ØHAI 1 " + Node + " " + Nonce + " dead")]
    [InlineData("ØHAI 1 " + Node + " " + Nonce + " live live")]
    [InlineData("ØHAI 1 " + Node + " " + Nonce + " authenticated authenticated")]
    [InlineData("ØHAI 1 " + Node + " " + Nonce + " live authenticated dead")]
    [InlineData("ØHAI 1 " + Node + " " + Nonce + " AUTHENTICATED")]
    [InlineData("ØHAI 66f7fb5466db7cca164f23144fc9e46")]   // proof of 31 digits
    [InlineData("ØHAI 66f7fb5466db7cca164f23144fc9e4630")] // proof of 33 digits
    [InlineData("ØHAI 66F7FB5466DB7CCA164F23144FC9E463")]  // uppercase proof
    public void A_malformed_greeting_is_a_bad_line(string line)
    {
        Assert.Equal(ProtocolErrorCode.BadLine, ErrorOf(line));
    }

    [Theory]
    [InlineData("ØHAI 1 " + Node + " 4f1c9a0e2b7d4c6a8e3f5a1b9c0d2e4f6a8b0c1d3e5f7a9b1c3d5e7f9a0b2c4d")]      // a nonce of 32 bytes
    [InlineData("ØHAI 1 " + Node + " 4f1c9a0e2b7d4c6a8e3f5a1b9c0d2e4f6a8b0c1d3e5f7a9b1c3d5e7f9a0b2c4d live")] // the same, live
    [InlineData("ØHAI a8a8bf554327a0f51a32b15cfafb2e9793883bb786ccf42f45bb822e72b5fe35")]                      // a whole HMAC
    public void A_nonce_or_proof_of_the_old_64_digit_length_is_a_bad_line(string line)
    {
        var error = Assert.Throws<ProtocolException>(() => ProtocolParser.ParseLine(System.Text.Encoding.UTF8.GetBytes(line)));

        Assert.Equal(ProtocolErrorCode.BadLine, error.Code);
        Assert.Contains("32 lowercase hex digits", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("IHAZ")]
    [InlineData("IHAZ ")]
    [InlineData("IHAZ [1]")]
    [InlineData("IHAZ 1")]
    [InlineData("IHAZ null")]
    [InlineData("IHAZ \"x\"")]
    [InlineData("IHAZ {\"" + Node + "\":-1}")]
    [InlineData("IHAZ {\"" + Node + "\":1.5}")]
    [InlineData("IHAZ {\"" + Node + "\":1e3}")]
    [InlineData("IHAZ {\"" + Node + "\":\"1\"}")]
    [InlineData("IHAZ {\"" + Node + "\":null}")]
    [InlineData("IHAZ {\"" + Node + "\":9223372036854775808}")]
    [InlineData("IHAZ {\"" + Node + "\":1,\"" + Node + "\":2}")]
    [InlineData("IHAZ {\"x\":1}")]
    [InlineData("IHAZ {\"af025bd5ad21412c968ba7ee58795f56\":1}")]
    [InlineData("IHAZ {\"" + Node + "\":1")]
    [InlineData("IHAZ {} {}")]
    [InlineData("IHAZ {\"whole\":1}")]
    [InlineData("IHAZ {\"whole\":\"true\"}")]
    [InlineData("IHAZ {\"whole\":true,\"whole\":true}")]
    public void A_malformed_ihaz_is_a_bad_line(string line)
    {
        Assert.Equal(ProtocolErrorCode.BadLine, ErrorOf(line));
    }

    [Theory]
    [InlineData("UCANHAZ")]
    [InlineData("UCANHAZ ")]
    [InlineData("UCANHAZ -1")]
    [InlineData("UCANHAZ +1")]
    [InlineData("UCANHAZ x")]
    [InlineData("UCANHAZ 1.5")]
    [InlineData("UCANHAZ 1e3")]
    [InlineData("UCANHAZ  1")]
    [InlineData("UCANHAZ 1 2")]
    [InlineData("UCANHAZ 9223372036854775808")]
    public void A_malformed_ucanhaz_is_a_bad_line(string line)
    {
        Assert.Equal(ProtocolErrorCode.BadLine, ErrorOf(line));
    }

    [Theory]
    [InlineData("KTHXBAI [1]")]
    [InlineData("KTHXBAI {\"received\":-1}")]
    [InlineData("KTHXBAI {\"applied\":\"1\"}")]
    [InlineData("KTHXBAI {")]
    public void A_malformed_kthxbai_is_a_bad_line(string line)
    {
        Assert.Equal(ProtocolErrorCode.BadLine, ErrorOf(line));
    }

    [Fact]
    public void The_well_formed_row_the_bad_rows_are_made_from_parses()
    {
        var row = Assert.IsType<RowMessage>(MessageAssert.ParseLine($"T/[1]:{{\"t\":\"{Ts}\",\"v\":{{\"x\":1}},\"c\":{{\"x\":\"{Ts2}\"}},\"a\":[\"{Ts}\"],\"d\":[\"{Ts2}\"]}}"));

        Assert.Equal(("T", "[1]"), (row.State.Table, row.State.Key));
    }

    [Theory]
    [InlineData("T/[1]:{\"t\":\"" + Ts + "\",\"v\":{\"x\":1}")]                         // truncated
    [InlineData("T/[1]:{\"t\":\"" + Ts)]                                                // truncated in a string
    [InlineData("T/[1]:")]
    [InlineData("T/[1]:[1]")]
    [InlineData("T/[1]:\"x\"")]
    [InlineData("T/[1]:null")]
    [InlineData("T/[1]:{\"t\":\"" + Ts + "\",\"v\":{\"x\":1}} x")]                       // text after the JSON
    [InlineData("T/[1]:{\"t\":\"" + Ts + "\",\"v\":{\"x\":1},\"z\":1}")]                 // unknown member
    [InlineData("T/[1]:{\"T\":\"" + Ts + "\",\"v\":{\"x\":1}}")]                         // members are case-sensitive
    [InlineData("T/[1]:{\"t\":\"" + Ts + "\",\"v\":{\"x\":1},\"c\":{\"y\":\"" + Ts2 + "\"}}")] // a clock for a column not in v
    [InlineData("T/[1]:{\"c\":{\"y\":\"" + Ts2 + "\"},\"a\":[\"" + Ts + "\"]}")]         // c without v
    [InlineData("T/[1]:{\"v\":{\"x\":1},\"a\":[\"" + Ts + "\"]}")]                       // values without t
    [InlineData("T/[1]:{\"t\":\"" + Ts + "\",\"v\":[1]}")]                               // v not an object
    [InlineData("T/[1]:{\"t\":\"" + Ts + "\",\"v\":{\"x\":1},\"c\":[]}")]                // c not an object
    [InlineData("T/[1]:{\"t\":\"" + Ts + "\",\"v\":{\"x\":1,\"x\":2}}")]                 // a column twice
    [InlineData("T/[1]:{\"a\":\"" + Ts + "\"}")]                                        // a not an array
    [InlineData("T/[1]:{\"d\":{}}")]                                                   // d not an array
    [InlineData("T/[1]:{}")]                                                           // empty state
    [InlineData("T/[1]:{\"a\":[],\"d\":[]}")]                                          // no values, no tags
    [InlineData("T/[1]:{\"t\":\"" + Ts + "\"}")]                                        // a base clock alone
    [InlineData("T/[1]:{\"t\":\"" + Ts + "\",\"v\":{}}")]                               // empty values
    [InlineData("T/[1]:{\"a\":[\"019ab697e8000000\"]}")]                                   // a short add tag without t
    [InlineData("T/[1]:{\"a\":[\"" + Ts + "\"],\"d\":[\"019ab697e8000000\"]}")]          // a short tombstone without t
    [InlineData("T/[1]:{\"t\":\"019ab697e8000000\",\"v\":{\"x\":1}}")]                    // t itself short
    [InlineData("T/[1]:{\"t\":\"" + Ts + "\",\"v\":{\"x\":1},\"a\":[\"8000000000000000\"]}")] // short, negative ticks
    [InlineData("T/[1]:{\"t\":\"" + Ts + "\",\"v\":{\"x\":1},\"a\":[\"019AB697E8000000\"]}")] // short, uppercase
    [InlineData("T/[1]:{\"t\":\"" + Ts + "\",\"v\":{\"x\":1},\"c\":{\"x\":\"019ab697e800000\"}}")] // short, 15 digits
    public void A_malformed_row_state_is_a_bad_row(string line)
    {
        Assert.Equal(ProtocolErrorCode.BadRow, ErrorOf(line));
    }

    [Theory]
    [InlineData("019AB697E8000000.AF025BD5AD21412C968BA7EE58795F56")]   // uppercase
    [InlineData("019ab697e8000000.af025bd5ad21412c968ba7ee58795f5")]    // short node
    [InlineData("19ab697e8000000.af025bd5ad21412c968ba7ee58795f56")]    // short ticks
    [InlineData("019ab697e8000000-af025bd5ad21412c968ba7ee58795f56")]   // no dot
    [InlineData("8000000000000000.af025bd5ad21412c968ba7ee58795f56")]   // negative ticks
    [InlineData("019ab697e8000000.af025bd5-ad21-412c-968b-a7ee58795f56")] // dashed node
    [InlineData("")]
    public void A_malformed_timestamp_anywhere_in_a_row_state_is_a_bad_row(string bad)
    {
        Assert.Equal(ProtocolErrorCode.BadRow, ErrorOf($"T/[1]:{{\"t\":\"{bad}\",\"v\":{{\"x\":1}}}}"));
        Assert.Equal(ProtocolErrorCode.BadRow, ErrorOf($"T/[1]:{{\"t\":\"{Ts}\",\"v\":{{\"x\":1}},\"c\":{{\"x\":\"{bad}\"}}}}"));
        Assert.Equal(ProtocolErrorCode.BadRow, ErrorOf($"T/[1]:{{\"a\":[\"{Ts}\",\"{bad}\"]}}"));
        Assert.Equal(ProtocolErrorCode.BadRow, ErrorOf($"T/[1]:{{\"d\":[\"{bad}\"]}}"));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("null")]
    [InlineData("[]")]
    public void A_timestamp_that_is_not_a_string_is_a_bad_row(string bad)
    {
        Assert.Equal(ProtocolErrorCode.BadRow, ErrorOf($"T/[1]:{{\"t\":{bad},\"v\":{{\"x\":1}}}}"));
        Assert.Equal(ProtocolErrorCode.BadRow, ErrorOf($"T/[1]:{{\"a\":[{bad}]}}"));
    }

    [Theory]
    [InlineData("T[1]")]          // no '/'
    [InlineData("/[1]")]          // empty table
    [InlineData("T/")]            // empty key
    [InlineData("T/a/b")]         // an unescaped '/'
    [InlineData("T/[1]%")]        // a lone '%'
    [InlineData("T/[1]%3")]       // a truncated escape
    [InlineData("T/[%zz]")]       // not hex
    [InlineData("T/[%41]")]       // 'A' must not be escaped
    [InlineData("T/[\"%C3%98\"]")] // nor may non-ASCII text
    [InlineData("T\u0001/[1]")]   // an unescaped control character
    [InlineData("T\t/[1]")]
    [InlineData("T\u007f/[1]")]
    public void A_malformed_object_id_is_a_bad_row(string oid)
    {
        Assert.Equal(ProtocolErrorCode.BadRow, ErrorOf($"{oid}:{{\"a\":[\"{Ts}\"]}}"));
    }

    [Theory]
    [InlineData("bad-line", ProtocolErrorCode.BadLine)]
    [InlineData("unknown-verb", ProtocolErrorCode.UnknownVerb)]
    [InlineData("out-of-order", ProtocolErrorCode.OutOfOrder)]
    [InlineData("unsupported-version", ProtocolErrorCode.UnsupportedVersion)]
    [InlineData("auth-failed", ProtocolErrorCode.AuthenticationFailed)]
    [InlineData("line-too-long", ProtocolErrorCode.LineTooLong)]
    [InlineData("batch-too-large", ProtocolErrorCode.BatchTooLarge)]
    [InlineData("timeout", ProtocolErrorCode.Timeout)]
    [InlineData("bad-row", ProtocolErrorCode.BadRow)]
    [InlineData("rejected", ProtocolErrorCode.Rejected)]
    [InlineData("busy", ProtocolErrorCode.Busy)]
    [InlineData("restarted", ProtocolErrorCode.Restarted)]
    [InlineData("auth-expired", ProtocolErrorCode.AuthenticationExpired)]
    [InlineData("internal", ProtocolErrorCode.Internal)]
    public void Ohnoes_parses_to_an_error_message_with_its_code_and_text(string name, ProtocolErrorCode code)
    {
        var message = MessageAssert.ParseLine($"OHNOES {name} Peer at 127.0.0.1:50412 said: no.");

        Assert.Equal(new ErrorMessage(code, "Peer at 127.0.0.1:50412 said: no."), message);
    }

    [Theory]
    [InlineData("teapot")]
    [InlineData("BUSY")]
    [InlineData("Internal")]
    public void Ohnoes_with_an_unknown_code_reads_as_internal(string name)
    {
        Assert.Equal(new ErrorMessage(ProtocolErrorCode.Internal, "x y"), MessageAssert.ParseLine($"OHNOES {name} x y"));
    }

    [Fact]
    public void Ohnoes_without_a_code_is_a_bad_line()
    {
        Assert.Equal(ProtocolErrorCode.BadLine, ErrorOf("OHNOES"));
        Assert.Equal(ProtocolErrorCode.BadLine, ErrorOf("OHNOES "));
    }
}
