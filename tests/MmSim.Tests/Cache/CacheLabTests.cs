using System.Text.Json;

namespace MmSim.Tests.Cache;

/// <summary>mmsim cache against every row of the Cache Lab handout's table (the reference simulator's counts).</summary>
public class CacheLabTests
{
    [Theory]
    [InlineData(1, 1, 1, "yi2", 9, 8, 6)]
    [InlineData(4, 2, 4, "yi", 4, 5, 2)]
    [InlineData(2, 1, 4, "dave", 2, 3, 1)]
    [InlineData(2, 1, 3, "trans", 167, 71, 67)]
    [InlineData(2, 2, 3, "trans", 201, 37, 29)]
    [InlineData(2, 4, 3, "trans", 212, 26, 10)]
    [InlineData(5, 1, 5, "trans", 231, 7, 0)]
    [InlineData(5, 1, 5, "long", 265189, 21775, 21743)]
    public void Matches_the_reference_simulator(int s, int e, int b, string trace, int hits, int misses, int evictions)
    {
        var r = CacheCli.Run("cache", "-s", $"{s}", "-E", $"{e}", "-b", $"{b}", "-t", CacheCli.Data(trace + ".trace"));
        Assert.Equal(0, r.Code);
        Assert.Equal($"hits:{hits} misses:{misses} evictions:{evictions}\n", r.Out);

        var j = CacheCli.Run("cache", "-s", $"{s}", "-E", $"{e}", "-b", $"{b}", "-t", CacheCli.Data(trace + ".trace"), "--json");
        using var doc = JsonDocument.Parse(j.Out);
        Assert.Equal(hits, doc.RootElement.GetProperty("hits").GetInt64());
        Assert.Equal(misses, doc.RootElement.GetProperty("misses").GetInt64());
        Assert.Equal(evictions, doc.RootElement.GetProperty("evictions").GetInt64());
    }

    [Fact]
    public void Verbose_output_is_the_reference_format()
    {
        var r = CacheCli.Run("cache", "-s", "4", "-E", "2", "-b", "4", "-t", CacheCli.Data("yi.trace"), "-v");
        Assert.Equal(0, r.Code);
        Assert.Equal(
            "L 10,1 miss \n" +
            "M 20,1 miss hit \n" +
            "L 22,1 hit \n" +
            "S 18,1 hit \n" +
            "L 110,1 miss \n" +
            "L 210,1 miss eviction \n" +
            "M 12,1 miss eviction hit \n" +
            "hits:4 misses:5 evictions:2\n", r.Out);
    }

    [Fact]
    public void Instruction_and_banner_lines_are_ignored_and_s0_is_fully_associative()
    {
        string t = CacheCli.Temp("==123== lackey\nI  0400d7d4,8\n L 0,4\n L 10,4 \n L 20,4\n L 0,4\n==123== end\n");
        // Fully associative, 2 lines of 16 B: 0 and 10 miss, 20 evicts 0 (LRU), 0 misses and evicts 10.
        var r = CacheCli.Run("cache", "-s", "0", "-E", "2", "-b", "4", "-t", t);
        Assert.Equal("hits:0 misses:4 evictions:2\n", r.Out);
        // Verbose prints addresses as the reference does (%llx: no leading zeros) and keeps the size.
        string u = CacheCli.Temp(" S 00602264,12\n");
        Assert.Equal("S 602264,12 miss \nhits:0 misses:1 evictions:0\n", CacheCli.Run("cache", "-s", "1", "-E", "1", "-b", "4", "-t", u, "-v").Out);
    }

    [Theory]
    [InlineData(" L 10,1\n X 20,1\n", 2)]
    [InlineData(" L 10,1\n L 10,1\n L zz,1\n", 3)]
    [InlineData(" L 10\n", 1)]
    [InlineData(" L 10,\n", 1)]
    [InlineData("L10,1\n", 1)]
    public void A_malformed_line_is_an_error_naming_it(string text, int line)
    {
        string t = CacheCli.Temp(text);
        var r = CacheCli.Run("cache", "-s", "1", "-E", "1", "-b", "1", "-t", t);
        Assert.Equal(2, r.Code);
        Assert.StartsWith($"mmsim: {t}:{line}: ", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Theory]
    [InlineData("60", "1", "5", "s + b must be at most 64")]
    [InlineData("1", "0", "1", "E (lines per set) must be at least 1")]
    [InlineData("-1", "1", "1", "s >= 0")]
    public void Bad_geometry_is_a_clear_error(string s, string e, string b, string message)
    {
        var r = CacheCli.Run("cache", "-s", s, "-E", e, "-b", b, "-t", CacheCli.Data("yi.trace"));
        Assert.Equal(2, r.Code);
        Assert.Contains(message, r.Err);
    }

    [Fact]
    public void Missing_geometry_or_trace_is_an_error()
    {
        Assert.Equal(2, CacheCli.Run("cache", "-s", "1", "-E", "1", "-t", CacheCli.Data("yi.trace")).Code);
        Assert.Equal(2, CacheCli.Run("cache", "-s", "1", "-E", "1", "-b", "1").Code);
        Assert.Equal(2, CacheCli.Run("cache", "-s", "1", "-E", "1", "-b", "1", "-t", "/nonexistent/x.trace").Code);
        Assert.Equal(2, CacheCli.Run("cache", "-s", "1", "-E", "1", "-b", "1", "-t", CacheCli.Data("yi.trace"), "--policy", "mru").Code);
    }
}

public class CacheOptionTests
{
    [Fact]
    public void Policies_and_write_options_reach_the_cache()
    {
        string t = CacheCli.Data("trans.trace");
        string[] g = ["cache", "-s", "2", "-E", "2", "-b", "3", "-t", t];
        var lru = CacheCli.Run(g);
        var fifo = CacheCli.Run([.. g, "--policy", "fifo"]);
        var rnd1 = CacheCli.Run([.. g, "--policy", "random", "--seed", "5"]);
        var rnd2 = CacheCli.Run([.. g, "--policy", "random", "--seed", "5"]);
        Assert.Equal("hits:201 misses:37 evictions:29\n", lru.Out);
        Assert.Equal("hits:192 misses:46 evictions:38\n", fifo.Out);
        Assert.Equal(rnd1.Out, rnd2.Out);
        var wt = CacheCli.Run([.. g, "--write-through", "--json"]);
        Assert.Contains("\"dirty_evictions\": 0", wt.Out);
    }
}
