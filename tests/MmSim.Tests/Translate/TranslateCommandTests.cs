using System.Text.Json;
using MmSim.Cli;

namespace MmSim.Tests.Translate;

public class TranslateCommandTests
{
    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Program.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void Json_has_exactly_the_contract_fields()
    {
        var (code, o, e) = Run("translate", "--scheme", "x86_64", "0x00007f1234567abc", "--json");
        Assert.Equal(0, code);
        Assert.Equal("", e);
        var r = JsonDocument.Parse(o).RootElement;
        Assert.Equal(["scheme", "address", "canonical", "space", "levels", "offset"], r.EnumerateObject().Select(p => p.Name));
        Assert.Equal("x86_64", r.GetProperty("scheme").GetString());
        Assert.Equal("0x7f1234567abc", r.GetProperty("address").GetString());
        Assert.True(r.GetProperty("canonical").GetBoolean());
        Assert.Equal("user", r.GetProperty("space").GetString());
        var levels = r.GetProperty("levels").EnumerateArray().Select(l => (l.GetProperty("name").GetString(), l.GetProperty("index").GetInt32())).ToArray();
        Assert.Equal([("PGD", 254), ("PUD", 72), ("PMD", 418), ("PTE", 359)], levels);
        Assert.Equal(0xabc, r.GetProperty("offset").GetInt64());
    }

    [Theory]
    [InlineData("x86_64", "0x0000800000000000", "non-canonical", false)]
    [InlineData("x86_64", "0xffff800000000000", "kernel", true)]
    [InlineData("x86_64_la57", "0x00ffffffffffffff", "user", true)]
    [InlineData("x86_64_la57", "0xff00000000000000", "kernel", true)]
    [InlineData("i386", "0xC0000000", "kernel", true)]
    [InlineData("i386", "0xbfffffff", "user", true)]
    [InlineData("i386_pae", "0xC0000000", "kernel", true)]
    public void Space_and_canonical(string scheme, string address, string space, bool canonical)
    {
        var (code, o, _) = Run("translate", "--scheme", scheme, address, "--json");
        Assert.Equal(0, code);
        var r = JsonDocument.Parse(o).RootElement;
        Assert.Equal(space, r.GetProperty("space").GetString());
        Assert.Equal(canonical, r.GetProperty("canonical").GetBoolean());
    }

    [Fact]
    public void Large_page_and_generic()
    {
        var r = JsonDocument.Parse(Run("translate", "--page", "1GiB", "0x7f1234567abc", "--json").Out).RootElement;
        Assert.Equal(2, r.GetProperty("levels").GetArrayLength());
        Assert.Equal(0x34567abc, r.GetProperty("offset").GetInt64());
        r = JsonDocument.Parse(Run("translate", "--scheme", "generic", "--bits", "10,10", "--page-size", "4KiB", "0x12345", "--json").Out).RootElement;
        Assert.Equal("generic", r.GetProperty("scheme").GetString());
        Assert.Equal([0, 18], r.GetProperty("levels").EnumerateArray().Select(l => l.GetProperty("index").GetInt32()));
        Assert.Equal(0x345, r.GetProperty("offset").GetInt64());
    }

    [Fact]
    public void Text_output_names_the_levels()
    {
        var (code, o, _) = Run("translate", "0x0000800000000000");
        Assert.Equal(0, code);
        Assert.Contains("non-canonical", o);
        Assert.Contains("PML4", o);
        Assert.Contains("PMD", o);
    }

    [Theory]
    [InlineData("i386", "0x100000000", "wider than 32 bits")]
    [InlineData("i386_pae", "0x1C0000000", "wider than 32 bits")]
    [InlineData("x86_64", "0x1ffffffffffffffff", "invalid address")]
    [InlineData("x86_64", "0xzz", "invalid address")]
    [InlineData("x86_64", "-5", "invalid address")]
    [InlineData("mips", "0x1000", "unknown scheme 'mips'")]
    public void Bad_input_is_one_message_and_exit_2(string scheme, string address, string message)
    {
        var (code, o, e) = Run("translate", "--scheme", scheme, address);
        Assert.Equal(2, code);
        Assert.Equal("", o);
        Assert.Contains(message, e);
        Assert.Single(e.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("--page", "4MiB")]
    [InlineData("--bits", "10,10")]
    public void Options_that_do_not_fit_the_scheme_exit_2(string option, string value)
    {
        var (code, _, e) = Run("translate", option, value, "0x1000");
        Assert.Equal(2, code);
        Assert.StartsWith("mmsim: " + option, e);
    }

    [Fact]
    public void Generic_too_wide_and_address_beyond_it()
    {
        Assert.Equal(2, Run("translate", "--scheme", "generic", "--bits", "30,30", "0x1").Code);
        var (code, _, e) = Run("translate", "--scheme", "generic", "--bits", "4,4", "--page-size", "256", "0x10000");
        Assert.Equal(2, code);
        Assert.Contains("wider than 16 bits", e);
        Assert.Equal(2, Run("translate", "--scheme", "generic", "--bits", "4,4", "--page-size", "3KiB", "0x1").Code);
        Assert.Equal(2, Run("translate", "--scheme", "generic", "0x1").Code);
    }
}

public class TranslateSegmentsCommandTests
{
    private const string Textbook = "0:1400:1000,1:6300:400,2:4300:400,3:3200:1100,4:4700:1000";

    private static JsonElement Json(params string[] args)
    {
        var (code, o, e) = TranslateCommandTests.Run(["translate", "--segments", Textbook, .. args, "--json"]);
        Assert.Equal(0, code);
        Assert.Equal("", e);
        return JsonDocument.Parse(o).RootElement;
    }

    [Fact]
    public void Textbook_translations_and_trap()
    {
        var r = Json("--segment", "2", "--offset", "53");
        Assert.Equal(["segment", "offset", "physical"], r.EnumerateObject().Select(p => p.Name));
        Assert.Equal(4353, r.GetProperty("physical").GetInt64());
        Assert.Equal(4052, Json("--segment", "3", "--offset", "852").GetProperty("physical").GetInt64());
        r = Json("--segment", "0", "--offset", "1222");
        Assert.Equal(["segment", "offset", "fault"], r.EnumerateObject().Select(p => p.Name));
        Assert.Equal("limit", r.GetProperty("fault").GetString());
        Assert.Equal("not-present", Json("--segment", "7", "--offset", "0").GetProperty("fault").GetString());
    }

    [Fact]
    public void Protection_trap_and_text()
    {
        var (code, o, _) = TranslateCommandTests.Run("translate", "--segments", "0:100:50:r", "--segment", "0", "--offset", "10", "--access", "w", "--json");
        Assert.Equal(0, code);
        Assert.Equal("protection", JsonDocument.Parse(o).RootElement.GetProperty("fault").GetString());
        (code, o, _) = TranslateCommandTests.Run("translate", "--segments", Textbook, "--segment", "0", "--offset", "1222");
        Assert.Equal(0, code);
        Assert.Contains("trap (limit)", o);
    }

    [Theory]
    [InlineData("--segments", "0:1", "--segment", "0", "--offset", "1")]
    [InlineData("--segments", Textbook, "--segment", "0", "--offset", "x")]
    [InlineData("--segments", Textbook, "--offset", "1", "--segment", "0", "--access", "q")]
    [InlineData("--segments", Textbook, "--offset", "1")]
    public void Bad_segment_input_exits_2(params string[] args)
    {
        var (code, _, e) = TranslateCommandTests.Run(["translate", .. args]);
        Assert.Equal(2, code);
        Assert.Single(e.Trim().Split('\n'));
    }
}
