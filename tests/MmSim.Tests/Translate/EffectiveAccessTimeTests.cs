using MmSim.Translate;

namespace MmSim.Tests.Translate;

public class EffectiveAccessTimeTests
{
    [Theory]
    // Silberschatz (older editions): TLB 20 ns, memory 100 ns, one level: 80% -> 0.8*120 + 0.2*220 = 140
    [InlineData(0.80, 20, 100, 1, 140.0)]
    // 98% -> 0.98*120 + 0.02*220 = 117.6 + 4.4 = 122
    [InlineData(0.98, 20, 100, 1, 122.0)]
    // newer editions ignore the TLB time: memory 10 ns, 80% -> 0.8*10 + 0.2*20 = 12; 99% -> 10.1
    [InlineData(0.80, 0, 10, 1, 12.0)]
    [InlineData(0.99, 0, 10, 1, 10.1)]
    // x86-64 4 levels, TLB 1, memory 100, 99%: 0.99*101 + 0.01*(1 + 500) = 99.99 + 5.01 = 105
    [InlineData(0.99, 1, 100, 4, 105.0)]
    // LA57, every access misses: 1 + 6*100
    [InlineData(0.0, 1, 100, 5, 601.0)]
    public void Textbook_values(double hit, double tlb, double mem, int levels, double expected)
    {
        Assert.Equal(expected, EffectiveAccessTime.Compute(hit, tlb, mem, levels), 9);
    }

    [Fact]
    public void Overhead_and_bad_arguments()
    {
        Assert.Equal(0.4, EffectiveAccessTime.Overhead(0.8, 20, 100, 1), 9);
        Assert.Throws<ArgumentOutOfRangeException>(() => EffectiveAccessTime.Compute(1.5, 1, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => EffectiveAccessTime.Compute(0.5, 1, 1, 0));
    }
}

public class EatCommandTests
{
    [Fact]
    public void Eat_uses_the_levels_of_the_scheme_and_page()
    {
        // x86_64, 98%, TLB 20, memory 100: 0.98*120 + 0.02*(20 + 5*100) = 117.6 + 10.4 = 128
        var (code, o, _) = TranslateCommandTests.Run("translate", "--eat", "--hit", "98%", "--json");
        Assert.Equal(0, code);
        var r = System.Text.Json.JsonDocument.Parse(o).RootElement;
        Assert.Equal(4, r.GetProperty("levels").GetInt32());
        Assert.Equal(128.0, r.GetProperty("eat_ns").GetDouble(), 6);
        // a 1 GiB page walks PGD and PUD only: 0.99*101 + 0.01*(1 + 3*100) = 99.99 + 3.01 = 103
        (code, o, _) = TranslateCommandTests.Run("translate", "--eat", "--hit", "0.99", "--tlb", "1", "--mem", "100", "--page", "1GiB");
        Assert.Equal(0, code);
        Assert.Contains("2 levels", o);
        Assert.Contains("= 103 ns", o);
        // the textbook one-level table: 140
        (code, o, _) = TranslateCommandTests.Run("translate", "--eat", "--hit", "0.8", "--scheme", "generic", "--bits", "20");
        Assert.Contains("= 140 ns", o);
    }

    [Theory]
    [InlineData("--hit", "1.5")]
    [InlineData("--hit", "abc")]
    [InlineData("--tlb", "fast")]
    public void Bad_eat_input_exits_2(string option, string value)
    {
        var args = new List<string> { "translate", "--eat", "--hit", "0.9" };
        if (option == "--hit") args[3] = value; else args.AddRange([option, value]);
        var (code, _, e) = TranslateCommandTests.Run([.. args]);
        Assert.Equal(2, code);
        Assert.StartsWith("mmsim: " + option, e);
    }
}
