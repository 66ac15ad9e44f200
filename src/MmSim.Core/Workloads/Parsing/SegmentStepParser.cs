using MmSim.Segmentation;
using YamlDotNet.RepresentationModel;

namespace MmSim.Workloads;

/// <summary>Reads <c>processes:</c> under a segmented translation: each process's pinned <c>segments:</c> and its
/// steps (<see cref="SegmentStepKinds"/>). References (segment ids) are checked by <see cref="SegmentValidator"/>.</summary>
internal sealed class SegmentStepParser(string source, MachineSpec machine)
{
    private static readonly string[] ProcessKeys = ["name", "pid", "segments", "steps"];
    private static readonly string[] PinnedKeys = ["id", "base", "limit", "prot"];
    private static readonly string[] SegmentKeys = ["id", "size", "prot"];
    private static readonly string[] AccessKeys = ["segment", "offset", "write", "exec", "value"];
    private static readonly string[] TouchKeys = ["segment", "write", "stride"];
    private static readonly string[] FreeKeys = ["segment"];
    private static readonly string[] RepeatKeys = ["times", "steps"];
    private static readonly string[] ExitKeys = ["code"];
    private static readonly string[] Bare = [SegmentStepKinds.Compact, StepKinds.Exit];

    /// <summary>Segment numbers a process may use (x86's 13-bit selector index is 8192 entries).</summary>
    public const int MaxSegmentId = 8191;

    public List<ProcessSpec> ParseProcesses(YamlNode node)
    {
        if (node is not YamlSequenceNode { Children.Count: > 0 } list)
            throw YamlScalars.Error(source, node,
                $"processes must be a list of at least one process ('- name: app' then 'segments:' or 'steps:'), got {YamlScalars.Kind(node)}");
        var processes = new List<ProcessSpec>();
        foreach (var item in list.Children)
        {
            var map = YamlMap.Of(source, item, "process", ProcessKeys, "a mapping with name, and segments or steps");
            if (!map.Has("segments") && !map.Has("steps"))
                throw YamlScalars.Error(source, map.Node, "a process needs 'segments' (its segment table) or 'steps' (or both)");
            processes.Add(new ProcessSpec
            {
                Name = map.RequiredString("name"),
                Pid = map.Int("pid", 1, ScenarioParser.PidMax) ?? 0,
                Segments = map.Get("segments") is { } segs ? Pinned(segs) : [],
                Steps = map.Get("steps") is { } steps ? ParseList(steps, "steps") : [],
                Line = map.Line,
            });
        }
        return processes;
    }

    private List<SegmentSpec> Pinned(YamlNode node)
    {
        if (node is not YamlSequenceNode list)
            throw YamlScalars.Error(source, node,
                $"segments must be a list like '[ {{ id: 0, base: 1400, limit: 1000 }} ]', got {YamlScalars.Kind(node)}");
        var result = new List<SegmentSpec>();
        foreach (var item in list.Children)
        {
            var map = YamlMap.Of(source, item, "segments", PinnedKeys, "a mapping like { id: 0, base: 1400, limit: 1000, prot: rw }");
            map.Required("id", "the segment number");
            map.Required("limit", "the segment's length in bytes");
            var spec = new SegmentSpec
            {
                Id = map.Int("id", 0, MaxSegmentId)!.Value,
                Limit = Positive(map, "limit"),
                Line = map.Line,
            };
            if (map.Has("base"))
            {
                if (machine.Translation != "segmentation")
                    throw map.Error("base", "segments.base pins a segment in physical memory; only under translation: segmentation");
                spec.Base = map.Size("base");
            }
            if (map.Has("prot")) spec.Prot = Prot(map);
            result.Add(spec);
        }
        return result;
    }

    public List<Step> ParseList(YamlNode node, string what)
    {
        if (node is not YamlSequenceNode list)
            throw YamlScalars.Error(source, node,
                $"{what} must be a list of steps ('- segment: {{...}}' on each line), got {YamlScalars.Kind(node)}");
        return list.Children.Select(Parse).ToList();
    }

    private Step Parse(YamlNode node)
    {
        var (kind, value, keyNode) = StepNode.Split(source, node, Bare, CheckKind, "segment: { id: 1, size: 4KiB }");
        Step step = kind switch
        {
            SegmentStepKinds.Segment => Segment(value!),
            SegmentStepKinds.Access => Access(value!),
            SegmentStepKinds.Touch => Touch(value!),
            SegmentStepKinds.Free => new SegmentFreeStep { Segment = Id(Map(value!, kind, FreeKeys, "{ segment: 1 }"), "segment") },
            SegmentStepKinds.Compact => new CompactStep(),
            StepKinds.Sleep => new SleepStep { DurationNs = YamlScalars.Time(source, value!, "sleep") },
            StepKinds.Repeat => Repeat(value!),
            _ => new ExitStep { Code = value is null ? 0 : Map(value, kind, ExitKeys, "{} or { code: 1 }", allowNull: true).Int("code", 0, 255) ?? 0 },
        };
        if (kind == SegmentStepKinds.Compact && machine.Translation != "segmentation")
            throw YamlScalars.Error(source, keyNode, "compact applies to translation: segmentation (paged memory has no external fragmentation)");
        step.Line = YamlScalars.Line(keyNode);
        return step;
    }

    private void CheckKind(string kind, YamlNode at)
    {
        if (!SegmentStepKinds.All.Contains(kind))
            throw YamlScalars.Error(source, at,
                $"unknown step '{kind}' under translation: {machine.Translation}{Suggest.Expected(kind, SegmentStepKinds.All)}");
    }

    private YamlMap Map(YamlNode node, string kind, string[] keys, string example, bool allowNull = false) =>
        YamlMap.Of(source, node, kind, keys, $"a mapping like {example}", allowNull);

    private SegmentStep Segment(YamlNode node)
    {
        var map = Map(node, SegmentStepKinds.Segment, SegmentKeys, "{ id: 1, size: 4KiB, prot: rw }");
        map.Required("size", "the segment's length");
        return new SegmentStep
        {
            Id = Id(map, "id"),
            SizeBytes = Positive(map, "size"),
            Prot = map.Has("prot") ? Prot(map) : SegmentAccess.Read | SegmentAccess.Write,
        };
    }

    private SegmentAccessStep Access(YamlNode node)
    {
        var map = Map(node, SegmentStepKinds.Access, AccessKeys, "{ segment: 2, offset: 53, write: true }");
        map.Required("offset", "the byte's offset in the segment");
        bool write = map.Bool("write") ?? false, exec = map.Bool("exec") ?? false;
        if (write && exec) throw map.Error("exec", "an access with exec: true is an instruction fetch and cannot write");
        if (map.Has("value") && !write) throw map.Error("value", "access.value is the byte a write stores; add write: true");
        return new SegmentAccessStep
        {
            Segment = Id(map, "segment"),
            Offset = map.Size("offset")!.Value,
            Access = write ? SegmentAccess.Write : exec ? SegmentAccess.Execute : SegmentAccess.Read,
            Value = (byte)(map.Int("value", 0, 255) ?? 0),
        };
    }

    private SegmentTouchStep Touch(YamlNode node)
    {
        var map = Map(node, SegmentStepKinds.Touch, TouchKeys, "{ segment: 1, write: true }");
        return new SegmentTouchStep
        {
            Segment = Id(map, "segment"),
            Write = map.Bool("write") ?? false,
            StrideBytes = map.Has("stride") ? Positive(map, "stride") : machine.PageSize,
        };
    }

    private RepeatStep Repeat(YamlNode node)
    {
        var map = Map(node, StepKinds.Repeat, RepeatKeys, "{ times: 3, steps: [ ... ] }");
        return new RepeatStep
        {
            Times = YamlScalars.Integer(source, map.Required("times"), "repeat.times", 0, 1_000_000),
            Steps = ParseList(map.Required("steps"), "repeat.steps"),
        };
    }

    private static int Id(YamlMap map, string key)
    {
        map.Required(key, "a segment number");
        return map.Int(key, 0, MaxSegmentId)!.Value;
    }

    private static long Positive(YamlMap map, string key)
    {
        long v = map.Size(key)!.Value;
        return v > 0 ? v : throw map.Error(key, $"{map.Name(key)} must be greater than 0");
    }

    private static SegmentAccess Prot(YamlMap map)
    {
        string text = map.String("prot")!;
        return (text.Length <= 3 ? Segmentation.Segment.ParseLetters(text) : null)
            ?? throw map.Error("prot", $"invalid {map.Name("prot")} '{text}'; expected letters r, w, x such as rw or rx");
    }
}
