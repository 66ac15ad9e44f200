using MmSim.Reports;
using Spectre.Console;

namespace MmSim.Cli.Formatting;

/// <summary>The readable report of <c>mmsim run</c>: what happened, then the tables a Linux user would look at.</summary>
public static class TextReport
{
    /// <summary>Events shown in the text report; the JSON report has them all.</summary>
    public const int MaxEvents = 200;

    public static void Write(RunReport r, TextWriter writer, string lang)
    {
        var c = Consoles.For(writer);
        string title = r.Scenario.Title ?? r.Scenario.Name ?? r.Scenario.Source;
        c.Write(new Rule($"[bold]{Markup.Escape(title)}[/]").LeftJustified());
        string? text = lang == "zh" ? r.Scenario.DescriptionZh ?? r.Scenario.Description : r.Scenario.Description;
        if (!string.IsNullOrWhiteSpace(text)) c.WriteLine(text.Trim());
        c.WriteLine();
        MachineLine(c, r);
        Processes(c, r);
        if (r.Caches is { } caches)
        {
            CachesText.Processes(c, r);
            CachesText.Write(c, caches, "CPU caches (machine.caches)");
        }
        CgroupTable.Write(c, r); // memcg issue
        Events(c, r);
        Zones(c, r);
        TwoColumns(c, "/proc/meminfo", r.Meminfo.Where(kv => !IsBoring(kv.Key)).Select(kv => (kv.Key, $"{kv.Value,10} kB")));
        TwoColumns(c, "/proc/vmstat (non-zero)", r.Vmstat.Where(kv => kv.Value != 0).Select(kv => (kv.Key, kv.Value.ToString())));
        c.WriteLine("/proc/buddyinfo");
        foreach (var line in r.Buddyinfo) c.WriteLine(line);
        c.WriteLine("/sys/kernel/debug/extfrag/unusable_index");
        foreach (var line in r.Extfrag.UnusableIndex) c.WriteLine(line);
        c.WriteLine("/sys/kernel/debug/extfrag/extfrag_index");
        foreach (var line in r.Extfrag.ExtfragIndex) c.WriteLine(line);
    }

    private static bool IsBoring(string field) => field is "NFS_Unstable" or "Bounce" or "WritebackTmp" or "VmallocTotal"
        or "HugePages_Total" or "Hugepagesize" or "AnonHugePages" or "KReclaimable" or "Slab" or "SReclaimable" or "SUnreclaim";

    private static void MachineLine(IAnsiConsole c, RunReport r)
    {
        var m = r.Machine;
        c.WriteLine($"Machine: {m.MemoryKb / 1024} MiB RAM, {m.PageSize / 1024} KiB pages, {m.PagingLevels}-level page tables, " +
                    $"swap {m.SwapKb} kB, {m.Cpus} CPU{(m.Cpus > 1 ? "s" : "")}. Kernel keeps {m.KernelReservedKb} kB at boot " +
                    $"(struct page array {m.Reserved["memmap_kb"]} kB, kernel image and firmware {m.Reserved["kernel_kb"]} kB; " +
                    $"{m.Reserved["holes_kb"]} kB are holes): MemTotal {r.Meminfo["MemTotal"]} kB. min_free_kbytes {m.MinFreeKbytes}.");
        c.WriteLine($"Simulated time: {FormatNs(r.SimulatedNs)}.");
        c.WriteLine();
    }

    private static void Processes(IAnsiConsole c, RunReport r)
    {
        var t = new Table().Title("processes (/proc/PID/status, kB)").Border(TableBorder.Simple);
        foreach (var h in new[] { "pid", "name", "state", "minflt", "majflt", "VmSize", "VmRSS", "RssAnon", "RssFile", "VmPTE", "VmSwap", "VmHWM", "oom_score_adj" })
            t.AddColumn(new TableColumn(h).RightAligned());
        t.Columns[1].LeftAligned();
        t.Columns[2].LeftAligned();
        foreach (var p in r.Processes)
        {
            string state = p.State == "killed" ? $"killed ({p.Signal})" : p.State;
            t.AddRow(p.Pid.ToString(), Markup.Escape(p.Name), state, p.MinFlt.ToString(), p.MajFlt.ToString(),
                p.VmSize.ToString(), p.VmRSS.ToString(), p.RssAnon.ToString(), p.RssFile.ToString(), p.VmPTE.ToString(),
                p.VmSwap.ToString(), p.VmHWM.ToString(), p.OomScoreAdj.ToString());
        }
        c.Write(t);
        c.WriteLine("(figures of exited processes are as they were just before exit)");
        foreach (var p in r.Processes)
        {
            long lookups = p.TlbHits + p.TlbMisses;
            if (lookups == 0 && p.InternalFragmentationBytes == 0) continue;
            string l2 = p.TlbL2Hits is { } h2 ? $"; L2 {h2} hits, {p.TlbL2Misses} misses" : "";
            string ratio = lookups > 0 ? $", hit ratio {(double)p.TlbHits / lookups:0.####}" : "";
            string eat = p.EatNs is { } e ? $"; EAT {e:0.###} ns" : "";
            c.WriteLine(Markup.Escape($"pid {p.Pid} {p.Name}: TLB {p.TlbHits} hits, {p.TlbMisses} misses{ratio}{l2}{eat}; " +
                                      $"internal fragmentation {p.InternalFragmentationBytes} bytes"));
        }
        if (r.InternalFragmentationBytes > 0)
            c.WriteLine($"internal fragmentation, all processes: {r.InternalFragmentationBytes} bytes");
        c.WriteLine();
    }

    private static void Events(IAnsiConsole c, RunReport r)
    {
        var t = new Table().Title("events").Border(TableBorder.Simple);
        t.AddColumn(new TableColumn("time").RightAligned());
        t.AddColumn(new TableColumn("pid").RightAligned());
        t.AddColumn("type");
        t.AddColumn("what happened");
        foreach (var e in r.Events.Take(MaxEvents))
            t.AddRow(FormatNs(e.TimeNs), e.Pid == 0 ? "-" : e.Pid.ToString(), e.Type, Markup.Escape(e.Message));
        c.Write(t);
        if (r.Events.Count > MaxEvents) c.WriteLine($"... {r.Events.Count - MaxEvents} more events (see --json)");
        c.WriteLine();
    }

    private static void Zones(IAnsiConsole c, RunReport r)
    {
        var t = new Table().Title("zones (/proc/zoneinfo, pages)").Border(TableBorder.Simple);
        foreach (var h in new[] { "zone", "free", "min", "low", "high", "promo", "spanned", "present", "managed", "protection" })
            t.AddColumn(new TableColumn(h).RightAligned());
        foreach (var z in r.Watermarks)
            t.AddRow(z.Zone, z.Free.ToString(), z.Min.ToString(), z.Low.ToString(), z.High.ToString(), z.Promo.ToString(),
                z.Spanned.ToString(), z.Present.ToString(), z.Managed.ToString(), "(" + string.Join(", ", z.Protection) + ")");
        c.Write(t);
        c.WriteLine();
    }

    private static void TwoColumns(IAnsiConsole c, string title, IEnumerable<(string Key, string Value)> rows)
    {
        var list = rows.ToList();
        var t = new Table().Title(title).Border(TableBorder.Simple).HideHeaders();
        t.AddColumn("k1"); t.AddColumn(new TableColumn("v1").RightAligned());
        t.AddColumn("k2"); t.AddColumn(new TableColumn("v2").RightAligned());
        int half = (list.Count + 1) / 2;
        for (int i = 0; i < half; i++)
        {
            var a = list[i];
            var b = i + half < list.Count ? list[i + half] : ("", "");
            t.AddRow(Markup.Escape(a.Key), a.Value, Markup.Escape(b.Item1), b.Item2);
        }
        c.Write(t);
        c.WriteLine();
    }

    public static string FormatNs(long ns) =>
        ns >= 1_000_000_000 ? $"{ns / 1e9:F3} s" : ns >= 1_000_000 ? $"{ns / 1e6:F3} ms" : ns >= 1_000 ? $"{ns / 1e3:F1} us" : $"{ns} ns";
}
