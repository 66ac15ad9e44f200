using YamlDotNet.RepresentationModel;

namespace MmSim.Workloads;

/// <summary>Reads <c>cgroups:</c> (cgroup v2 file names as keys) and <c>pods:</c> (Kubernetes resources).</summary>
internal static class CgroupParser
{
    public static readonly string[] Keys =
        ["path", "memory.max", "memory.high", "memory.low", "memory.min", "memory.swap.max", "memory.oom.group", "processes"];

    private static readonly string[] PodKeys = ["name", "containers"];
    private static readonly string[] ContainerKeys = ["name", "resources", "steps", "start_at", "start_after", "stack"];
    private static readonly string[] ResourceKeys = ["requests", "limits"];
    private static readonly string[] QuantityKeys = ["memory", "cpu"];

    public static List<CgroupSpec> ParseCgroups(string source, YamlNode node)
    {
        if (node is not YamlSequenceNode list)
            throw YamlScalars.Error(source, node,
                $"cgroups must be a list like '- {{ path: web, memory.max: 512MiB }}', got {YamlScalars.Kind(node)}");
        var result = new List<CgroupSpec>();
        foreach (var item in list.Children)
        {
            var map = YamlMap.Of(source, item, "cgroups", Keys, "a mapping like { path: web, memory.max: 512MiB }");
            string path = map.RequiredString("path", "a cgroup path such as web or batch/job1").Trim().Trim('/');
            if (path.Length == 0 || path.Split('/').Any(p => p.Length == 0 || p is "." or ".."))
                throw map.Error("path", $"cgroups.path must be a path like web or batch/job1, got '{path}'");
            var spec = new CgroupSpec
            {
                Path = path,
                Max = Limit(source, map, "memory.max"),
                High = Limit(source, map, "memory.high"),
                Low = Limit(source, map, "memory.low", allowMax: false) ?? 0,
                Min = Limit(source, map, "memory.min", allowMax: false) ?? 0,
                SwapMax = Limit(source, map, "memory.swap.max"),
                OomGroup = (map.Int("memory.oom.group", 0, 1) ?? 0) == 1,
                Line = map.Line,
            };
            if (map.Get("processes") is { } procs)
            {
                if (procs is not YamlSequenceNode pl)
                    throw YamlScalars.Error(source, procs, "cgroups.processes must be a list of process names, e.g. [nginx, worker]");
                foreach (var p in pl.Children) spec.Procs.Add(YamlScalars.NonEmptyText(source, p, "cgroups.processes"));
            }
            result.Add(spec);
        }
        return result;
    }

    /// <summary>A memory file's value: a size in bytes (rounded down to pages by the kernel, page_counter_memparse)
    /// or "max".</summary>
    private static long? Limit(string source, YamlMap map, string key, bool allowMax = true)
    {
        if (map.Get(key) is not { } node) return null;
        string text = YamlScalars.Text(source, node, map.Name(key)).Trim();
        if (text == "max")
        {
            if (allowMax) return null;
            return long.MaxValue;
        }
        if (!Units.TryParseSize(text, out long bytes, out _) || bytes < 0)
            throw YamlScalars.Error(source, node,
                $"cgroups.{key} must be a size such as 512MiB{(allowMax ? " or 'max'" : "")}, got '{text}'");
        return bytes;
    }

    public static List<PodSpec> ParsePods(string source, YamlNode node, StepParser steps)
    {
        if (node is not YamlSequenceNode list)
            throw YamlScalars.Error(source, node, $"pods must be a list of pods ('- name: shop' then 'containers:'), got {YamlScalars.Kind(node)}");
        var pods = new List<PodSpec>();
        foreach (var item in list.Children)
        {
            var map = YamlMap.Of(source, item, "pods", PodKeys, "a mapping with name and containers");
            var pod = new PodSpec { Name = map.RequiredString("name"), Line = map.Line };
            if (map.Required("containers", "a list of containers") is not YamlSequenceNode { Children.Count: > 0 } cl)
                throw map.Error("containers", "pods.containers must be a list of at least one container");
            foreach (var c in cl.Children)
            {
                var cm = YamlMap.Of(source, c, "containers", ContainerKeys, "a mapping with name, resources and steps");
                var container = new ContainerSpec { Name = cm.RequiredString("name"), Line = cm.Line };
                if (cm.Get("resources") is { } res)
                {
                    var rm = YamlMap.Of(source, res, "resources", ResourceKeys, "a mapping with requests and limits", allowNull: true);
                    if (rm.Get("requests") is { } req) (container.MemoryRequest, container.CpuRequest) = Quantities(source, req, "requests");
                    if (rm.Get("limits") is { } lim) (container.MemoryLimit, container.CpuLimit) = Quantities(source, lim, "limits");
                }
                // The API server defaults a missing request to the limit (pkg/apis/core/v1/defaults.go).
                container.MemoryRequest ??= container.MemoryLimit;
                container.CpuRequest ??= container.CpuLimit;
                if (container.MemoryRequest > container.MemoryLimit)
                    throw new InputException(source, cm.Line,
                        $"container '{container.Name}' of pod '{pod.Name}': memory request {Units.FormatSize(container.MemoryRequest.Value)} exceeds its limit {Units.FormatSize(container.MemoryLimit!.Value)}");
                if (container.CpuRequest > container.CpuLimit)
                    throw new InputException(source, cm.Line,
                        $"container '{container.Name}' of pod '{pod.Name}': cpu request exceeds its limit");
                container.Process = new ProcessSpec
                {
                    Name = container.Name,
                    StartAtNs = cm.Time("start_at") ?? 0,
                    StartAfter = cm.String("start_after"), // resolved by ScenarioParser once every process is listed
                    StackBytes = cm.Size("stack") ?? 0,
                    Steps = steps.ParseList(cm.Required("steps", "a list of steps"), "steps"),
                    Line = cm.Line,
                    Pod = pod,
                    Container = container,
                };
                pod.Containers.Add(container);
            }
            pods.Add(pod);
        }
        return pods;
    }

    private static (long? Memory, long? CpuMilli) Quantities(string source, YamlNode node, string what)
    {
        var m = YamlMap.Of(source, node, what, QuantityKeys, "a mapping like { memory: 1GiB, cpu: 500m }");
        long? memory = null, cpu = null;
        if (m.Get("memory") is { } mem)
        {
            string text = YamlScalars.Text(source, mem, $"{what}.memory").Trim();
            // Kubernetes quantities: 1Gi, 512Mi, or the simulator's 1GiB.
            string t = text.EndsWith("i", StringComparison.Ordinal) ? text + "B" : text;
            if (!Units.TryParseSize(t, out long bytes, out _) || bytes <= 0)
                throw YamlScalars.Error(source, mem, $"{what}.memory must be a size such as 1Gi or 512MiB, got '{text}'");
            memory = bytes;
        }
        if (m.Get("cpu") is { } c)
        {
            string text = YamlScalars.Text(source, c, $"{what}.cpu").Trim();
            bool milli = text.EndsWith('m');
            if (!decimal.TryParse(milli ? text[..^1] : text, System.Globalization.NumberStyles.Number,
                    System.Globalization.CultureInfo.InvariantCulture, out decimal v) || v < 0)
                throw YamlScalars.Error(source, c, $"{what}.cpu must be cores (1, 0.5) or millicores (500m), got '{text}'");
            cpu = (long)(milli ? v : v * 1000);
        }
        return (memory, cpu);
    }
}
