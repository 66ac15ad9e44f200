using System.Diagnostics;
using MmSim.Cache;

namespace MmSim.Tests.Cache;

/// <summary><c>mmsim trace</c> on real programs under valgrind lackey (CI installs valgrind and gcc: .ci/run).</summary>
public class TraceCommandTests
{
    private static string Valgrind() =>
        LackeyCapture.FindValgrind() ?? throw new InvalidOperationException("valgrind is needed by these tests (apt-get install valgrind; .ci/run installs it)");

    private static string TempDir()
    {
        string d = Path.Combine(TestTemp.Dir, $"mmsim-trace-{Guid.NewGuid():N}");
        Directory.CreateDirectory(d);
        return d;
    }

    [Fact]
    public void A_compiled_program_s_stores_appear_in_its_trace_in_order()
    {
        Valgrind();
        string dir = TempDir();
        string gcc = File.Exists("/usr/bin/gcc") ? "/usr/bin/gcc" : throw new InvalidOperationException("gcc is needed (apt-get install gcc)");
        // The program writes 64 ints to a global array and records the array's address in a file.
        File.WriteAllText(Path.Combine(dir, "p.c"), """
            #include <stdio.h>
            int a[64];
            int main(int argc, char **argv) {
                FILE *f = fopen(argv[1], "w");
                fprintf(f, "%lx\n", (unsigned long)a);
                fclose(f);
                for (volatile int i = 0; i < 64; i++) a[i] = i;
                return 3;
            }
            """);
        var cc = Process.Start(new ProcessStartInfo(gcc, ["-O1", "-o", Path.Combine(dir, "p"), Path.Combine(dir, "p.c")]))!;
        cc.WaitForExit();
        Assert.Equal(0, cc.ExitCode);

        string trace = Path.Combine(dir, "p.lackey"), addrFile = Path.Combine(dir, "addr");
        var r = CacheCli.Run("trace", "-o", trace, "--", Path.Combine(dir, "p"), addrFile);
        Assert.Equal(0, r.Code);
        ulong a = Convert.ToUInt64(File.ReadAllText(addrFile).Trim(), 16);

        long lines = 0, stores = 0, fetches = 0;
        var toArray = new List<ulong>();
        using (var reader = LackeyRecordReader.Open(trace))
            while (reader.Next(out var rec))
            {
                lines++;
                if (rec.Op == 'I') fetches++;
                if (rec.Op == 'S') stores++;
                if (rec.Op == 'S' && rec.Address >= a && rec.Address < a + 256)
                {
                    Assert.Equal(4, rec.Size);
                    toArray.Add(rec.Address);
                }
            }
        Assert.Equal(Enumerable.Range(0, 64).Select(i => a + 4 * (ulong)i), toArray);
        Assert.DoesNotContain(File.ReadLines(trace), l => l.StartsWith("==") || l.StartsWith("--"));
        Assert.Contains($": {lines} lines (", r.Out);
        Assert.Contains($"{fetches} instruction fetches", r.Out);
        Assert.Contains($"{stores} stores", r.Out);
        Assert.Contains("program exit status 3", r.Out);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Bin_true_traces_and_the_trace_replays_through_the_cache()
    {
        Valgrind();
        string dir = TempDir();
        string trace = Path.Combine(dir, "true.lackey");
        var r = CacheCli.Run("trace", "-o", trace, "--", "/bin/true");
        Assert.Equal(0, r.Code);
        var c = CacheCli.Run("cache", "-s", "6", "-E", "8", "-b", "6", "-t", trace);
        Assert.Equal(0, c.Code);
        Assert.StartsWith("hits:", c.Out);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Missing_valgrind_is_exit_2_saying_how_to_install_it_and_leaves_the_output_alone()
    {
        string dir = TempDir();
        string trace = Path.Combine(dir, "keep.lackey");
        File.WriteAllText(trace, " L 10,4\n");
        var r = CacheCli.Run("trace", "-o", trace, "--valgrind", Path.Combine(dir, "no-valgrind"), "--", "/bin/true");
        Assert.Equal(2, r.Code);
        Assert.Contains("valgrind is not installed", r.Err);
        Assert.Contains("apt-get install valgrind", r.Err);
        Assert.Equal(" L 10,4\n", File.ReadAllText(trace));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void A_program_that_does_not_exist_is_exit_2()
    {
        Valgrind();
        string dir = TempDir();
        var r = CacheCli.Run("trace", "-o", Path.Combine(dir, "x.lackey"), "--", Path.Combine(dir, "no-such-program"));
        Assert.Equal(2, r.Code);
        Assert.StartsWith("mmsim: valgrind:", r.Err);
        Assert.False(File.Exists(Path.Combine(dir, "x.lackey")));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Filter_keeps_only_trace_lines_verbatim()
    {
        string dir = TempDir();
        string log = Path.Combine(dir, "log"), outp = Path.Combine(dir, "out");
        File.WriteAllText(log, "==12== Lackey, an example Valgrind tool\n==12== \nI  0401ab70,3\n S 1fff000638,8\n--12-- warning\n L 0401c000,4\n M 0401c008,8\n==12== Exit code:       0\n");
        var s = LackeyCapture.Filter(log, outp, 0);
        Assert.Equal("I  0401ab70,3\n S 1fff000638,8\n L 0401c000,4\n M 0401c008,8\n", File.ReadAllText(outp));
        Assert.Equal(new LackeyCaptureSummary(4, 1, 1, 1, 1, 3, 58, 0), s);
        Directory.Delete(dir, true);
    }
}
