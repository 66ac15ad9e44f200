using System.CommandLine;
using System.Text.Json;
using MmSim.Cli.Formatting;
using MmSim.Host;
using Spectre.Console;

namespace MmSim.Cli.Commands;

/// <summary><c>mmsim host oom</c>: this machine's processes (or a copied /proc tree) in the order the OOM killer
/// would choose them, with the oom_score computed as the kernel does and the kernel's own for comparison.</summary>
public static class HostCommand
{
    public static Command Create()
    {
        var procRoot = new Option<string>("--proc-root") { Description = "The /proc tree to read", DefaultValueFactory = _ => "/proc" };
        var json = new Option<bool>("--json") { Description = "Print a JSON list instead of a table" };
        var pageSize = new Option<int?>("--page-size") { Description = "PAGE_SIZE in bytes (default: this machine's)" };
        var oom = new Command("oom", "Processes in the order the OOM killer would pick them, with oom_score") { procRoot, json, pageSize };
        oom.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            string root = parse.GetValue(procRoot)!;
            if (!Directory.Exists(root)) throw new InputException("--proc-root", 0, $"no such directory: {root}");
            var snapshot = new HostProcReader(root, parse.GetValue(pageSize)).Read();
            if (parse.GetValue(json)) stdout.WriteLine(ToJson(snapshot));
            else WriteTable(snapshot, stdout);
            return ExitCodes.Ok;
        });
        return new Command("host", "Look at the Linux machine this runs on") { oom };
    }

    public static string ToJson(HostOomSnapshot s)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var p in s.Processes)
            {
                w.WriteStartObject();
                w.WriteNumber("pid", p.Pid);
                w.WriteString("comm", p.Comm);
                w.WriteNumber("oom_score", p.OomScore);
                if (p.KernelOomScore is { } k) w.WriteNumber("kernel_oom_score", k);
                w.WriteNumber("oom_score_adj", p.OomScoreAdj);
                if (p.Eligible) w.WriteNumber("badness_pages", p.Badness);
                else w.WriteNull("badness_pages");
                w.WriteBoolean("eligible", p.Eligible);
                if (p.UnkillableReason is { } r) w.WriteString("unkillable", r);
                w.WriteNumber("rss_kb", p.Status.RssKb);
                w.WriteNumber("swap_kb", p.Status.VmSwapKb);
                w.WriteNumber("pgtables_kb", p.Status.VmPteKb);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    private static void WriteTable(HostOomSnapshot s, TextWriter stdout)
    {
        var console = Consoles.For(stdout);
        console.WriteLine($"totalpages = {s.TotalPages} (MemTotal {s.Meminfo.MemTotalKb} kB + SwapTotal {s.Meminfo.SwapTotalKb} kB, page size {s.PageSize})");
        var table = new Table().Border(TableBorder.Simple);
        foreach (var h in new[] { "#", "pid", "comm", "oom_score", "kernel", "adj", "badness", "rss kB", "swap kB", "pgtables kB" })
            table.AddColumn(new TableColumn(h) { Alignment = h == "comm" ? Justify.Left : Justify.Right });
        int rank = 0;
        foreach (var p in s.Processes)
        {
            string kernel = p.KernelOomScore is { } k ? (k == p.OomScore ? k.ToString() : $"{k} (differs)") : "-";
            table.AddRow((p.Eligible ? (++rank).ToString() : "never"), p.Pid.ToString(), Markup.Escape(p.Comm),
                p.OomScore.ToString(), kernel, p.OomScoreAdj.ToString(),
                p.Eligible ? p.Badness.ToString() : Markup.Escape(p.UnkillableReason ?? "-"),
                p.Status.RssKb.ToString(), p.Status.VmSwapKb.ToString(), p.Status.VmPteKb.ToString());
        }
        console.Write(table);
        console.WriteLine("Order: highest badness first; on a tie the later-created task wins (select_bad_process keeps the last of equals).");
    }
}
