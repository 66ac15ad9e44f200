using System.CommandLine;
using System.Globalization;
using MmSim.Cli.Formatting;
using MmSim.Sweep;
using Spectre.Console;

namespace MmSim.Cli.Commands;

/// <summary><c>mmsim sweep</c>: traces × policies × frames (or a scenario × a grid of settings) split into shards
/// that a batch scheduler runs, then merged back exactly (see docs/sweep.md).</summary>
public static class SweepCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var cmd = new Command("sweep", "Sweeps over traces × policies × frames or scenario settings, in shards for Slurm or Kubernetes (see docs/sweep.md)");
        cmd.Subcommands.Add(Plan());
        cmd.Subcommands.Add(Run());
        cmd.Subcommands.Add(Slurm());
        cmd.Subcommands.Add(K8s());
        cmd.Subcommands.Add(Status());
        cmd.Subcommands.Add(Merge());
        cmd.Subcommands.Add(Report());
        return cmd;
    }

    private static Argument<string> SweepArg() => new("sweep") { Description = "The sweep file (YAML)" };
    private static Argument<string> DirArg() => new("dir") { Description = "The sweep's results folder" };
    private static Option<string> OutOpt() => new("--out") { Description = "Results folder", Required = true };
    private static Option<int> ShardsOpt(string what) => new("--shards") { Description = what };
    private static Option<int> JobsOpt() => new("--jobs") { Description = "Cells run in parallel (default: number of cores)" };

    private static int CheckShards(int n, string option = "--shards")
    {
        if (n < 1) throw new InputException(option, 0, $"expected a number of shards of at least 1, got {n}");
        return n;
    }

    private static int CheckJobs(int j)
    {
        if (j < 0) throw new InputException("--jobs", 0, $"expected a positive number, got {j}");
        return j;
    }

    private static Command Plan()
    {
        var sweep = SweepArg();
        var shards = ShardsOpt("Show how the cells fall into N shards");
        shards.DefaultValueFactory = _ => 1;
        var cells = new Option<bool>("--cells") { Description = "List every cell with its cost" };
        var c = new Command("plan", "The cells, their count, estimated cost, and how they fall into N shards") { sweep, shards, cells };
        c.SetAction(p =>
        {
            var o = p.InvocationConfiguration.Output;
            int n = CheckShards(p.GetValue(shards));
            var plan = SweepPlan.Enumerate(SweepParser.Load(p.GetValue(sweep)!));
            if (!plan.Spec.IsScenario) plan.CountRequests();
            var spec = plan.Spec;
            o.WriteLine(spec.IsScenario
                ? $"sweep {spec.Name}: scenario {spec.Scenario} × {string.Join(" × ", spec.Grid.Select(g => $"{g.Key} ({g.Values.Count})"))} = {plan.Cells.Count} cells (cost 1 each)"
                : $"sweep {spec.Name}: {plan.TraceFiles.Count} traces × {spec.Policies.Count} policies × {spec.Frames.Count} sizes = {plan.Cells.Count} cells, cost {plan.TotalCost.ToString("N0", Inv)} requests");
            var con = Consoles.For(o);
            if (!spec.IsScenario)
            {
                var t = new Table().AddColumns("trace", "format", "requests", "cells", "cost (requests × cells)");
                foreach (var col in t.Columns.Skip(2)) col.RightAligned();
                foreach (var f in plan.TraceFiles)
                {
                    int k = spec.Policies.Count * spec.Frames.Count;
                    t.AddRow(Markup.Escape(f.Path), Replay.Traces.TraceOptions.Name(f.Entry.Options.Format), f.Requests.ToString("N0", Inv),
                        k.ToString(Inv), (f.Requests * k).ToString("N0", Inv));
                }
                con.Write(t);
            }
            var assign = ShardSplit.Assign(plan.Cells, n);
            if (p.GetValue(cells))
            {
                var t = new Table().AddColumns("cell", "what", "cost", "shard");
                foreach (var cell in plan.Cells)
                    t.AddRow(cell.Id, Markup.Escape(cell.Describe()), cell.Cost.ToString("N0", Inv), assign[cell.Index].ToString(Inv));
                con.Write(t);
            }
            var loads = new long[n];
            var counts = new int[n];
            foreach (var cell in plan.Cells)
            {
                loads[assign[cell.Index]] += cell.Cost;
                counts[assign[cell.Index]]++;
            }
            var st = new Table().AddColumns("shard", "cells", "cost", "of the mean");
            foreach (var col in st.Columns.Skip(1)) col.RightAligned();
            double mean = (double)plan.TotalCost / n;
            for (int s = 0; s < n; s++)
                st.AddRow(s.ToString(Inv), counts[s].ToString(Inv), loads[s].ToString("N0", Inv), (loads[s] / mean).ToString("P1", Inv));
            con.Write(st);
            o.WriteLine($"{n} shards: the largest holds {(loads.Max() / mean).ToString("P1", Inv)} of the mean cost (longest-processing-time-first split)");
            return ExitCodes.Ok;
        });
        return c;
    }

    private static Command Run()
    {
        var sweep = SweepArg();
        var outDir = OutOpt();
        var shard = new Option<string>("--shard") { Description = "I/N (shard I of N, 0-based) or auto (from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX)", DefaultValueFactory = _ => "0/1" };
        var shards = ShardsOpt("With --shard auto: the number of shards (default: SLURM_ARRAY_TASK_COUNT)");
        var jobs = JobsOpt();
        var c = new Command("run", "Run one shard of a sweep, storing each cell's result in DIR as it finishes") { sweep, outDir, shard, shards, jobs };
        c.SetAction(p =>
        {
            var o = p.InvocationConfiguration.Output;
            var err = p.InvocationConfiguration.Error;
            int j = CheckJobs(p.GetValue(jobs));
            string s = p.GetValue(shard)!;
            var (i, n) = s == "auto"
                ? ShardSplit.Auto(p.GetResult(shards) is null ? null : CheckShards(p.GetValue(shards)), Environment.GetEnvironmentVariable)
                : ShardSplit.Parse(s);
            var plan = SweepPlan.Enumerate(SweepParser.Load(p.GetValue(sweep)!));
            var dir = SweepDir.Prepare(p.GetValue(outDir)!, plan, n, j);
            var sum = WithProgress(err, $"shard {i}/{n}", report => SweepRunner.RunShard(plan, dir, i, n, j, report));
            o.WriteLine($"shard {i}/{n}: {sum.Cells} cells, {sum.AlreadyDone} already done, {sum.Ran} run, {sum.Failures.Count} failed");
            foreach (var (cell, msg) in sum.Failures) err.WriteLine($"mmsim: cell {cell.Id} ({cell.Describe()}) failed: {msg}");
            return sum.Failures.Count == 0 ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return c;
    }

    private static T WithProgress<T>(TextWriter err, string label, Func<Action<int, int>, T> body)
    {
        if (Console.IsErrorRedirected || !ReferenceEquals(err, Console.Error)) return body((_, _) => { });
        T result = default!;
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) })
            .Progress().AutoClear(true).Start(ctx =>
            {
                var task = ctx.AddTask(label, maxValue: 1);
                result = body((done, total) =>
                {
                    task.MaxValue = Math.Max(1, total);
                    task.Value = done;
                });
            });
        return result;
    }

    private static Command Slurm()
    {
        var sweep = SweepArg();
        var outDir = OutOpt();
        var shards = ShardsOpt("Number of shards (array tasks)");
        shards.Required = true;
        var submit = new Option<bool>("--submit") { Description = "Submit the script with sbatch and print the job id" };
        var wait = new Option<bool>("--wait") { Description = "With --submit: wait for the array to finish; exit 1 if a task failed or a cell is missing" };
        var sbatchArgs = new Option<string?>("--sbatch-args") { Description = "More sbatch options, e.g. \"--partition=long --time=2:00:00\"" };
        var mmsim = new Option<string?>("--mmsim") { Description = "Command that runs mmsim on the nodes (default: this mmsim, by absolute path)" };
        var cpus = new Option<int>("--cpus-per-task") { Description = "Cores per task, each running one cell at a time (default 1)" };
        var tasks = new Option<string?>("--tasks") { Description = "With --submit: only these array tasks, e.g. 1,3 (to rerun failed shards)" };
        var c = new Command("slurm", "Write DIR/sweep.sbatch, a Slurm job array of the shards; --submit runs sbatch")
            { sweep, outDir, shards, submit, wait, sbatchArgs, mmsim, cpus, tasks };
        c.SetAction(p =>
        {
            var o = p.InvocationConfiguration.Output;
            var err = p.InvocationConfiguration.Error;
            int n = CheckShards(p.GetValue(shards));
            int cpt = p.GetValue(cpus);
            if (cpt < 0) throw new InputException("--cpus-per-task", 0, $"expected a positive number, got {cpt}");
            string? taskList = p.GetValue(tasks);
            if (taskList is not null)
                foreach (var part in taskList.Split(',', StringSplitOptions.TrimEntries))
                    if (!int.TryParse(part, out int k) || k < 0 || k >= n)
                        throw new InputException("--tasks", 0, $"expected array task numbers in 0..{n - 1} separated by commas, got '{part}'");
            var extra = SlurmScript.SplitArgs(p.GetValue(sbatchArgs) ?? "");
            string file = p.GetValue(sweep)!;
            var plan = SweepPlan.Enumerate(SweepParser.Load(file));
            var dir = SweepDir.Prepare(p.GetValue(outDir)!, plan, n);
            Directory.CreateDirectory(dir.LogsPath);
            string script = Path.Combine(dir.Path, SlurmScript.FileName);
            string text = SlurmScript.Build(plan.Spec, file, dir.Path, n, p.GetValue(mmsim) ?? SlurmScript.CurrentMmsim(), cpt);
            SweepDir.WriteAtomic(script, System.Text.Encoding.UTF8.GetBytes(text));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            o.WriteLine($"wrote {script}: {plan.Cells.Count} cells in {n} array tasks");
            if (!p.GetValue(submit)) return ExitCodes.Ok;
            string job = SlurmJobs.Submit(script, extra, taskList);
            o.WriteLine($"submitted job {job}");
            o.Flush();
            if (!p.GetValue(wait)) return ExitCodes.Ok;
            var states = SlurmJobs.Wait(job, TimeSpan.FromSeconds(1));
            var bad = states.Where(t => !t.Succeeded).ToList();
            foreach (var t in states) o.WriteLine($"task {t.Task}: {t.State} (exit {t.ExitCode})");
            foreach (var t in bad)
                err.WriteLine($"mmsim: array task {job}_{t.Task} ended {t.State} (exit {t.ExitCode}); see {Path.Combine(dir.LogsPath, $"shard-{t.Task}.err")}");
            var missing = SweepMerge.Gather(plan, dir).Missing;
            if (missing.Count > 0 && taskList is null)
                err.WriteLine($"mmsim: {missing.Count} of {plan.Cells.Count} cells missing: {Names(missing)}");
            return bad.Count == 0 && (missing.Count == 0 || taskList is not null) ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return c;
    }

    private static string Names(IReadOnlyList<SweepCell> cells, int max = 20) =>
        string.Join(", ", cells.Take(max).Select(c => $"{c.Id} ({c.Describe()})")) + (cells.Count > max ? $", … ({cells.Count - max} more)" : "");

    private static Command K8s()
    {
        var sweep = SweepArg();
        var outDir = OutOpt();
        var shards = ShardsOpt("Number of shards (completions)");
        shards.Required = true;
        var image = new Option<string>("--image") { Description = "Container image with mmsim", Required = true };
        var claim = new Option<string>("--claim") { Description = "PersistentVolumeClaim holding the sweep file, its traces and DIR", DefaultValueFactory = _ => "mmsim-sweep" };
        var mount = new Option<string>("--mount") { Description = "Where the volume is mounted in the pod", DefaultValueFactory = _ => "/sweep" };
        var mmsim = new Option<string>("--mmsim") { Description = "Command that runs mmsim in the image", DefaultValueFactory = _ => "mmsim" };
        var cpus = new Option<int>("--cpus") { Description = "Cores per pod (and its --jobs)", DefaultValueFactory = _ => 1 };
        var par = new Option<int>("--parallelism") { Description = "Pods at once (default: all shards)" };
        var c = new Command("k8s", "Write DIR/sweep-job.yaml, a Kubernetes Indexed Job of the shards")
            { sweep, outDir, shards, image, claim, mount, mmsim, cpus, par };
        c.SetAction(p =>
        {
            int n = CheckShards(p.GetValue(shards));
            if (p.GetValue(cpus) < 1) throw new InputException("--cpus", 0, $"expected at least 1, got {p.GetValue(cpus)}");
            string file = p.GetValue(sweep)!;
            var plan = SweepPlan.Enumerate(SweepParser.Load(file));
            string text = K8sManifest.Build(plan.Spec, file, p.GetValue(outDir)!, n, p.GetValue(image)!, p.GetValue(claim)!,
                p.GetValue(mount)!, p.GetValue(mmsim)!, p.GetValue(cpus), p.GetValue(par));
            var dir = SweepDir.Prepare(p.GetValue(outDir)!, plan, n);
            string path = Path.Combine(dir.Path, K8sManifest.FileName);
            SweepDir.WriteAtomic(path, System.Text.Encoding.UTF8.GetBytes(text));
            p.InvocationConfiguration.Output.WriteLine($"wrote {path}: {plan.Cells.Count} cells in {n} indexed completions");
            return ExitCodes.Ok;
        });
        return c;
    }

    private static Command Status()
    {
        var dirArg = DirArg();
        var shards = ShardsOpt("Group by this many shards (default: the count last used in DIR)");
        var watch = new Option<bool>("--watch") { Description = "Show a progress bar until every cell is done" };
        var c = new Command("status", "Cells done, missing and failed per shard") { dirArg, shards, watch };
        c.SetAction(p =>
        {
            var o = p.InvocationConfiguration.Output;
            var (dir, plan) = SweepDir.Open(p.GetValue(dirArg)!);
            int n = p.GetResult(shards) is null ? Math.Max(1, dir.Manifest.Shards) : CheckShards(p.GetValue(shards));
            if (p.GetValue(watch) && !Console.IsErrorRedirected)
            {
                AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) })
                    .Progress().Start(ctx =>
                    {
                        var task = ctx.AddTask(plan.Spec.Name, maxValue: plan.Cells.Count);
                        while (true)
                        {
                            var scan = dir.Scan();
                            int done = plan.Cells.Count(x => scan.Done.ContainsKey(x.Id));
                            int failed = plan.Cells.Count(x => !scan.Done.ContainsKey(x.Id) && scan.Failed.ContainsKey(x.Id));
                            task.Value = done;
                            task.Description = $"{plan.Spec.Name}: {done}/{plan.Cells.Count} done, {failed} failed";
                            if (done + failed >= plan.Cells.Count) break;
                            Thread.Sleep(1000);
                        }
                    });
            }
            var sc = dir.Scan();
            var assign = ShardSplit.Assign(plan.Cells, n);
            var rows = new (int Cells, int Done, int Failed)[n];
            foreach (var cell in plan.Cells)
            {
                ref var r = ref rows[assign[cell.Index]];
                r.Cells++;
                if (sc.Done.ContainsKey(cell.Id)) r.Done++;
                else if (sc.Failed.ContainsKey(cell.Id)) r.Failed++;
            }
            var t = new Table().AddColumns("shard", "cells", "done", "failed", "missing");
            foreach (var col in t.Columns.Skip(1)) col.RightAligned();
            for (int s = 0; s < n; s++)
                t.AddRow(s.ToString(Inv), rows[s].Cells.ToString(Inv), rows[s].Done.ToString(Inv), rows[s].Failed.ToString(Inv),
                    (rows[s].Cells - rows[s].Done).ToString(Inv));
            o.WriteLine($"sweep {plan.Spec.Name} in {dir.Path}: {rows.Sum(r => r.Done)} of {plan.Cells.Count} cells done, {rows.Sum(r => r.Failed)} failed ({n} shards)");
            Consoles.For(o).Write(t);
            return ExitCodes.Ok;
        });
        return c;
    }

    private static Command Merge()
    {
        var dirArg = DirArg();
        var json = new Option<bool>("--json") { Description = "Print the JSON document of every cell" };
        var c = new Command("merge", "Gather every cell into DIR/results.csv and DIR/results.parquet; exit 1 naming missing or duplicated cells") { dirArg, json };
        c.SetAction(p =>
        {
            var o = p.InvocationConfiguration.Output;
            var err = p.InvocationConfiguration.Error;
            var (dir, plan) = SweepDir.Open(p.GetValue(dirArg)!);
            var m = SweepMerge.Gather(plan, dir);
            if (m.Complete)
            {
                SweepTables.WriteCsv(Path.Combine(dir.Path, "results.csv"), plan.Spec, m.Results);
                SweepTables.WriteParquet(Path.Combine(dir.Path, "results.parquet"), plan.Spec, m.Results);
            }
            if (p.GetValue(json))
            {
                using var ms = new MemoryStream();
                SweepTables.WriteJson(ms, plan.Spec, m);
                o.WriteLine(System.Text.Encoding.UTF8.GetString(ms.ToArray()));
            }
            else if (m.Complete)
                o.WriteLine($"sweep {plan.Spec.Name}: all {m.Cells} cells; wrote {Path.Combine(dir.Path, "results.csv")} and results.parquet");
            if (m.Complete) return ExitCodes.Ok;
            if (m.Missing.Count > 0)
                err.WriteLine($"mmsim: sweep {plan.Spec.Name} is incomplete: {m.Missing.Count} of {m.Cells} cells missing: {Names(m.Missing)}");
            foreach (var (id, msg) in m.Failed.OrderBy(f => f.Key, StringComparer.Ordinal).Take(20))
                err.WriteLine($"mmsim: cell {id} failed: {msg}");
            foreach (var (cell, files) in m.Duplicated.Take(20))
                err.WriteLine($"mmsim: cell {cell.Id} ({cell.Describe()}) is duplicated: {string.Join(", ", files)}");
            if (m.Duplicated.Count > 20) err.WriteLine($"mmsim: … {m.Duplicated.Count - 20} more duplicated cells");
            err.WriteLine("mmsim: results.csv and results.parquet not written; rerun the missing shards (sweep status shows which)");
            return ExitCodes.Failure;
        });
        return c;
    }

    private static Command Report()
    {
        var dirArg = DirArg();
        var plot = new Option<string>("--plot") { Description = "PNG file to write", Required = true };
        var c = new Command("report", "Plot a sweep: miss-ratio curves per trace, or counters against each setting") { dirArg, plot };
        c.SetAction(p =>
        {
            var (dir, plan) = SweepDir.Open(p.GetValue(dirArg)!);
            var m = SweepMerge.Gather(plan, dir);
            if (m.Results.Count == 0) throw new InputException(dir.Path, 0, "no cell is done yet; nothing to plot");
            string path = p.GetValue(plot)!;
            SweepPlot.Write(path, plan.Spec, m.Results);
            p.InvocationConfiguration.Output.WriteLine($"wrote {path} ({m.Results.Count} of {m.Cells} cells)");
            if (m.Missing.Count > 0)
                p.InvocationConfiguration.Error.WriteLine($"mmsim: the sweep is incomplete ({m.Missing.Count} cells missing); the plot shows the cells done");
            return m.Complete ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return c;
    }
}
