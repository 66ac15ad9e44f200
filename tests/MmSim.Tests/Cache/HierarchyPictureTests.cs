namespace MmSim.Tests.Cache;

/// <summary>mmsim cache --hierarchy: the per-access lines (-v), the terminal picture and the PNG (--plot).</summary>
public class HierarchyPictureTests
{
    [Fact]
    public void Verbose_names_the_level_that_served_each_access()
    {
        var r = CacheCli.Run("cache", "--hierarchy", "default", "-t", CacheCli.Data("yi.trace"), "-v");
        Assert.Equal(0, r.Code);
        var lines = r.Out.Split('\n').TakeWhile(l => !l.StartsWith("l1d:")).ToArray();
        // yi.trace: blocks 0x10, 0x20 (same 64-byte line 0), 0x110, 0x210: lines 0, 4, 8 miss everywhere once.
        Assert.Equal(
        [
            "L 10,1 ram", "M load 20,1 l1d", "M store 20,1 l1d", "L 22,1 l1d", "S 18,1 l1d", "L 110,1 ram",
            "L 210,1 ram", "M load 12,1 l1d", "M store 12,1 l1d",
        ], lines);
    }

    [Fact]
    public void The_terminal_picture_has_a_row_and_a_bar_per_level()
    {
        var r = CacheCli.Run("cache", "--hierarchy", "default", "-t", CacheCli.Data("yi.trace"));
        Assert.Equal(0, r.Code);
        Assert.Contains("memory hierarchy, 5 GHz", r.Out);
        Assert.Matches(@"\n  l1d +48 KiB +12 +64 B +5 cyc = 1 ns +6 +3 +0\.6667 +6 \(66\.7%\) +6 ns", r.Out);
        Assert.Matches(@"\n  ram +90 ns +3 +3 \(33\.3%\) +270 ns", r.Out);
        Assert.Contains("accesses 9, AMAT 153.333 cycles (30.667 ns)", r.Out);
        Assert.Matches(@"\nram +█+ 270 *\n", r.Out);
    }

    [Fact]
    public void Plot_writes_a_png_and_needs_a_hierarchy()
    {
        string png = Path.Combine(TestTemp.Dir, $"mmsim-h-{Guid.NewGuid():N}.png");
        var r = CacheCli.Run("cache", "--hierarchy", "default", "-t", CacheCli.Data("trans.trace"), "--plot", png);
        Assert.Equal(0, r.Code);
        var bytes = File.ReadAllBytes(png);
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], bytes.Take(4));
        File.Delete(png);
        var bad = CacheCli.Run("cache", "-s", "1", "-E", "1", "-b", "1", "-t", CacheCli.Data("yi.trace"), "--plot", png);
        Assert.Equal(2, bad.Code);
        Assert.Contains("--plot: draws a hierarchy", bad.Err);
    }

    [Fact]
    public void Json_gives_each_level_s_time_and_ram_s()
    {
        var r = CacheCli.Run("cache", "--hierarchy", "default", "-t", CacheCli.Data("yi.trace"), "--json");
        Assert.Equal(0, r.Code);
        var doc = System.Text.Json.JsonDocument.Parse(r.Out).RootElement;
        Assert.Equal(6.0, doc.GetProperty("levels")[0].GetProperty("time_ns").GetDouble());
        Assert.Equal(270.0, doc.GetProperty("ram_time_ns").GetDouble());
    }
}
