using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MmSim.Workloads;

/// <summary>Turns YAML text into a <see cref="Scenario"/>: syntax, keys, values and ranges. Cross-references
/// (regions, files, pids) are left to <see cref="ScenarioValidator"/>.</summary>
internal static class ScenarioParser
{
    public static readonly string[] TopKeys =
        ["seed", "name", "title", "description", "description_zh", "machine", "vm", "files", "processes", "cgroups", "pods"];

    private static readonly string[] FileKeys = ["path", "size"];

    private static readonly string[] ProcessKeys = ["name", "pid", "oom_score_adj", "start_at", "start_after", "stack", "steps", "cgroup"];

    /// <summary>PID_MAX_LIMIT on 64-bit (include/linux/threads.h).</summary>
    public const int PidMax = 4 * 1024 * 1024;

    public static Scenario Parse(string yaml, string source)
    {
        YamlNode root = LoadRoot(yaml, source);
        var map = YamlMap.Of(source, root, "", TopKeys,
            "a mapping with keys such as machine, files and processes");
        var scenario = new Scenario
        {
            SourceName = source,
            Name = map.String("name"),
            Title = map.String("title"),
            Description = map.String("description")?.Trim(),
            DescriptionZh = map.String("description_zh")?.Trim(),
        };
        if (map.Get("seed") is { } seed) scenario.Seed = YamlScalars.Unsigned(source, seed, "seed");
        scenario.Machine = MachineParser.Parse(source, map.Get("machine"));
        scenario.Vm = VmParser.Parse(source, map.Get("vm"), scenario.Machine);
        if (map.Get("files") is { } files) scenario.Files = ParseFiles(source, files);
        if (scenario.Machine.IsSegmented)
        {
            // The segmented machines (Segmentation/SegMachine) have their own processes: segments, not regions.
            foreach (string key in new[] { "vm", "files" })
                if (map.Has(key)) throw YamlScalars.Error(source, map.At(key), $"'{key}' applies to the paging translations, not to translation: {scenario.Machine.Translation}");
            scenario.Processes = new SegmentStepParser(source, scenario.Machine)
                .ParseProcesses(map.Required("processes", "a list of processes with their segments or steps"));
            return scenario;
        }
        var steps = new StepParser(source, scenario.Machine.PageSize);
        // memcg issue: processes may be absent when pods give the workload.
        if (map.Get("pods") is { } pods) scenario.Pods = CgroupParser.ParsePods(source, pods, steps);
        if (map.Get("cgroups") is { } cgroups) scenario.Cgroups = CgroupParser.ParseCgroups(source, cgroups);
        scenario.Processes = scenario.Pods.Count > 0 && !map.Has("processes") ? []
            : ParseProcesses(source, map.Required("processes", "a list of processes with their steps"), steps);
        foreach (var pod in scenario.Pods) foreach (var c in pod.Containers) scenario.Processes.Add(c.Process);
        // A container's start_after: a process or container listed before it (processes: come first).
        for (int i = 0; i < scenario.Processes.Count; i++)
        {
            var p = scenario.Processes[i];
            if (p.Pod is null || p.StartAfter is null) continue;
            for (int j = i - 1; j >= 0 && p.StartAfterIndex < 0; j--)
                if (scenario.Processes[j].Name == p.StartAfter) p.StartAfterIndex = j;
            if (p.StartAfterIndex < 0)
                throw new InputException(source, p.Line,
                    $"start_after '{p.StartAfter}' is not the name of a process or container listed before container '{p.Name}'" +
                    (i > 0 ? $" (expected one of: {string.Join(", ", scenario.Processes.Take(i).Select(q => q.Name))})" : ""));
        }
        return scenario;
    }

    /// <summary>Parses the text into one document and returns its root, converting YamlDotNet's errors.</summary>
    private static YamlNode LoadRoot(string yaml, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new InputException(source, (int)ex.Start.Line, "YAML syntax error: " + YamlMessage(ex),
                (int)ex.Start.Column, ex);
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet's scanner fails this way on a flow collection left open at the end of the text.
            var (line, column, what) = UnclosedFlow(yaml);
            throw new InputException(source, line, $"YAML syntax error: {what}", column, ex);
        }
        if (stream.Documents.Count == 0 || YamlScalars.IsNull(stream.Documents[0].RootNode))
            throw new InputException(source, 0, "the scenario is empty; expected a mapping with at least 'processes'");
        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode;
            throw YamlScalars.Error(source, second, "a scenario file holds one YAML document; remove the second '---'");
        }
        return stream.Documents[0].RootNode;
    }

    /// <summary>Finds the first '{' or '[' never closed (outside quotes and comments), for the error message.</summary>
    private static (int Line, int Column, string What) UnclosedFlow(string yaml)
    {
        var open = new Stack<(char C, int Line, int Col)>();
        int line = 1, col = 0;
        char quote = '\0';
        bool comment = false;
        foreach (char ch in yaml)
        {
            if (ch == '\n') { line++; col = 0; comment = false; continue; }
            col++;
            if (comment) continue;
            if (quote != '\0') { if (ch == quote) quote = '\0'; continue; }
            switch (ch)
            {
                case '\'' or '"': quote = ch; break;
                case '#': comment = true; break;
                case '{' or '[': open.Push((ch, line, col)); break;
                case '}' or ']': if (open.Count > 0) open.Pop(); break;
            }
        }
        if (open.Count == 0) return (line, 0, "unexpected end of the text");
        var first = open.ToArray()[^1];
        char close = first.C == '{' ? '}' : ']';
        return (first.Line, first.Col, $"'{first.C}' opened here is never closed; expected '{close}'");
    }

    /// <summary>YamlDotNet prefixes its messages with "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; we give the
    /// position ourselves.</summary>
    private static string YamlMessage(YamlException ex)
    {
        string message = ex.Message;
        int cut = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line:", StringComparison.Ordinal) && cut >= 0) message = message[(cut + 3)..];
        return message.Trim();
    }

    private static List<FileSpec> ParseFiles(string source, YamlNode node)
    {
        if (node is not YamlSequenceNode list)
            throw YamlScalars.Error(source, node,
                $"files must be a list like '- {{ path: /data/table.db, size: 256MiB }}', got {YamlScalars.Kind(node)}");
        var files = new List<FileSpec>();
        foreach (var item in list.Children)
        {
            var map = YamlMap.Of(source, item, "files", FileKeys, "a mapping like { path: /data/table.db, size: 256MiB }");
            map.Required("size");
            files.Add(new FileSpec
            {
                Path = map.RequiredString("path", "an absolute path"),
                SizeBytes = map.Size("size")!.Value,
                Line = map.Line,
            });
        }
        return files;
    }

    private static List<ProcessSpec> ParseProcesses(string source, YamlNode node, StepParser steps)
    {
        if (node is not YamlSequenceNode { Children.Count: > 0 } list)
            throw YamlScalars.Error(source, node,
                $"processes must be a list of at least one process ('- name: app' then 'steps:'), got {YamlScalars.Kind(node)}");
        var processes = new List<ProcessSpec>();
        foreach (var item in list.Children)
        {
            var map = YamlMap.Of(source, item, "process", ProcessKeys, "a mapping with name and steps");
            string? after = map.String("start_after");
            int afterIndex = -1;
            if (after is not null)
            {
                // An earlier process only: the order is then a chain, never a cycle.
                afterIndex = processes.FindLastIndex(p => p.Name == after);
                if (afterIndex < 0)
                    throw map.Error("start_after",
                        $"start_after '{after}' is not the name of a process listed before this one" +
                        (processes.Count > 0 ? $" (expected one of: {string.Join(", ", processes.Select(p => p.Name))})" : ""));
            }
            processes.Add(new ProcessSpec
            {
                StartAfter = after,
                StartAfterIndex = afterIndex,
                Name = map.RequiredString("name"),
                Pid = map.Int("pid", 1, PidMax) ?? 0,
                OomScoreAdj = map.Int("oom_score_adj", -1000, 1000) ?? 0,
                StartAtNs = map.Time("start_at") ?? 0,
                StackBytes = map.Size("stack") ?? 0,
                Cgroup = map.String("cgroup")?.Trim().Trim('/'),
                Steps = steps.ParseList(map.Required("steps", "a list of steps"), "steps"),
                Line = map.Line,
            });
        }
        return processes;
    }
}
