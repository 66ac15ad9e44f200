using YamlDotNet.RepresentationModel;

namespace MmSim.Workloads;

/// <summary>
/// Reads the <c>steps:</c> of a process. A step is a one-key mapping whose key is the kind (<c>- touch: {...}</c>);
/// <c>- exit</c> and <c>- fork</c> may be written alone. Checks each step on its own; references between steps
/// (regions, files) are checked by <see cref="ScenarioValidator"/>.
/// </summary>
internal sealed class StepParser(string source, int pageSize)
{
    private static readonly string[] AllocKeys = ["name", "size", "prot"];
    private static readonly string[] TouchKeys = ["region", "write", "stride", "offset", "length", "think"];
    private static readonly string[] AccessKeys =
        ["region", "address", "pattern", "count", "write", "write_ratio", "zipf_alpha", "exec", "think"];
    private static readonly string[] MapFileKeys = ["name", "path", "prot", "shared", "offset", "length"];
    private static readonly string[] FileIoKeys = ["path", "offset", "size"];
    private static readonly string[] RegionKeys = ["region"];
    private static readonly string[] RepeatKeys = ["times", "steps"];
    private static readonly string[] ExitKeys = ["code"];
    private static readonly string[] ForkKeys = ["name", "steps"];
    private static readonly string[] TraceKeys = ["file", "format"];
    private static readonly string[] TraceFormats = ["lackey"];
    private static readonly string[] Patterns = ["sequential", "random", "zipf"];

    /// <summary>Steps that need no parameters, so <c>- exit</c> alone is a step.</summary>
    private static readonly string[] Bare = [StepKinds.Exit, StepKinds.Fork];

    public List<Step> ParseList(YamlNode node, string what)
    {
        if (node is not YamlSequenceNode list)
            throw YamlScalars.Error(source, node,
                $"{what} must be a list of steps ('- alloc: {{...}}' on each line), got {YamlScalars.Kind(node)}");
        return list.Children.Select(Parse).ToList();
    }

    public Step Parse(YamlNode node)
    {
        var (kind, value, keyNode) = StepNode.Split(source, node, Bare, CheckKind, "alloc: { name: heap, size: 64MiB }");

        Step step = kind switch
        {
            StepKinds.Alloc => Alloc(value!),
            StepKinds.Touch => Touch(value!),
            StepKinds.Access => Access(value!),
            StepKinds.MapFile => MapFile(value!),
            StepKinds.ReadFile => FileIo(value!, kind, (p, o, s) => new ReadFileStep { Path = p, OffsetBytes = o, SizeBytes = s }),
            StepKinds.WriteFile => FileIo(value!, kind, (p, o, s) => new WriteFileStep { Path = p, OffsetBytes = o, SizeBytes = s }),
            StepKinds.Free => new FreeStep { Region = RegionOnly(value!, kind) },
            StepKinds.Mlock => new MlockStep { Region = RegionOnly(value!, kind) },
            StepKinds.Sleep => Sleep(value!),
            StepKinds.Repeat => Repeat(value!),
            StepKinds.Exit => Exit(value),
            StepKinds.Fork => Fork(value),
            StepKinds.Trace => Trace(value!),
            _ => throw new InvalidOperationException(kind),
        };
        step.Line = YamlScalars.Line(keyNode);
        return step;
    }

    private void CheckKind(string kind, YamlNode at)
    {
        if (!StepKinds.All.Contains(kind))
            throw YamlScalars.Error(source, at, $"unknown step '{kind}'{Suggest.Expected(kind, StepKinds.All)}");
    }

    private YamlMap Map(YamlNode node, string kind, string[] keys, string example, bool allowNull = false) =>
        YamlMap.Of(source, node, kind, keys, $"a mapping like {example}", allowNull);

    private AllocStep Alloc(YamlNode node)
    {
        var map = Map(node, StepKinds.Alloc, AllocKeys, "{ name: heap, size: 64MiB }");
        var step = new AllocStep
        {
            Name = map.RequiredString("name", "the region's name, used by later steps"),
            SizeBytes = SizeOf(map, "size", required: true, positive: true)!.Value,
        };
        if (map.Has("prot")) step.Prot = ParseProt(map, "prot");
        return step;
    }

    private TouchStep Touch(YamlNode node)
    {
        var map = Map(node, StepKinds.Touch, TouchKeys, "{ region: heap, write: true }");
        return new TouchStep
        {
            Region = map.RequiredString("region", "the name given by alloc or map_file"),
            Write = map.Bool("write") ?? false,
            StrideBytes = SizeOf(map, "stride", required: false, positive: true) ?? pageSize,
            OffsetBytes = map.Size("offset") ?? 0,
            LengthBytes = map.Size("length"),
            ThinkNs = map.Time("think") ?? 0,
        };
    }

    private AccessStep Access(YamlNode node)
    {
        var map = Map(node, StepKinds.Access, AccessKeys, "{ region: heap, pattern: random, count: 1000 }");
        var step = new AccessStep { ThinkNs = map.Time("think") ?? 0 };
        bool hasRegion = map.Has("region"), hasAddress = map.Has("address");
        if (hasRegion == hasAddress)
            throw hasRegion
                ? map.Error("address", "access takes either 'region' or 'address', not both")
                : YamlScalars.Error(source, map.Node,
                    "access needs either 'region' (a region name) or 'address' (a virtual address such as 0x7f0000001000)");
        if (hasRegion) step.Region = map.RequiredString("region");
        else step.Address = YamlScalars.Unsigned(source, map.Get("address")!, "address");

        if (map.String("pattern") is { } pattern)
        {
            if (hasAddress) throw map.Error("pattern", "access.pattern applies to a region, not to a single address");
            step.Pattern = pattern switch
            {
                "sequential" => AccessPattern.Sequential,
                "random" => AccessPattern.Random,
                "zipf" => AccessPattern.Zipf,
                _ => throw map.Error("pattern", $"invalid access.pattern '{pattern}'{Suggest.Expected(pattern, Patterns)}"),
            };
        }
        step.Count = map.Integer("count", 0, long.MaxValue) ?? 1;
        if (map.Has("write") && map.Has("write_ratio"))
            throw map.Error("write_ratio", "access takes either 'write' or 'write_ratio', not both");
        step.Write = map.Bool("write") ?? false;
        step.WriteRatio = map.Double("write_ratio", 0, 1) ?? (step.Write ? 1.0 : 0.0);
        if (step.WriteRatio >= 1) step.Write = true;
        step.Exec = map.Bool("exec") ?? false;
        if (step.Exec && step.WriteRatio > 0)
            throw map.Error("exec", "an access with exec: true is an instruction fetch and cannot write");
        if (map.Has("zipf_alpha"))
        {
            if (step.Pattern != AccessPattern.Zipf)
                throw map.Error("zipf_alpha", "access.zipf_alpha applies only to pattern: zipf");
            step.ZipfAlpha = map.Double("zipf_alpha", 0, 1000)!.Value;
            if (step.ZipfAlpha <= 0)
                throw map.Error("zipf_alpha", $"access.zipf_alpha must be positive, got {step.ZipfAlpha}");
        }
        return step;
    }

    private MapFileStep MapFile(YamlNode node)
    {
        var map = Map(node, StepKinds.MapFile, MapFileKeys, "{ name: db, path: /data/table.db }");
        var step = new MapFileStep
        {
            Name = map.RequiredString("name", "the region's name, used by later steps"),
            Path = map.RequiredString("path", "a path declared in 'files'"),
            Shared = map.Bool("shared") ?? false,
            OffsetBytes = map.Size("offset") ?? 0,
            LengthBytes = SizeOf(map, "length", required: false, positive: true),
        };
        if (map.Has("prot")) step.Prot = ParseProt(map, "prot");
        if (step.OffsetBytes % pageSize != 0)
            throw map.Error("offset",
                $"map_file.offset must be a multiple of the page size ({pageSize}), as mmap requires; got {step.OffsetBytes}");
        return step;
    }

    private Step FileIo(YamlNode node, string kind, Func<string, long, long, Step> make)
    {
        var map = Map(node, kind, FileIoKeys, "{ path: /data/table.db, offset: 0, size: 16MiB }");
        string path = map.RequiredString("path", "a path declared in 'files'");
        long offset = map.Size("offset") ?? 0;
        long size = SizeOf(map, "size", required: true, positive: false)!.Value;
        return make(path, offset, size);
    }

    private string RegionOnly(YamlNode node, string kind)
    {
        if (node is YamlScalarNode && !YamlScalars.IsNull(node)) return YamlScalars.NonEmptyText(source, node, kind);
        return Map(node, kind, RegionKeys, $"{{ region: heap }} (or '{kind}: heap')")
            .RequiredString("region", "the name given by alloc or map_file");
    }

    private SleepStep Sleep(YamlNode node) => new() { DurationNs = YamlScalars.Time(source, node, "sleep") };

    private RepeatStep Repeat(YamlNode node)
    {
        var map = Map(node, StepKinds.Repeat, RepeatKeys, "{ times: 3, steps: [ ... ] }");
        return new RepeatStep
        {
            Times = YamlScalars.Integer(source, map.Required("times"), "repeat.times", 0, long.MaxValue),
            Steps = ParseList(map.Required("steps"), "repeat.steps"),
        };
    }

    private ExitStep Exit(YamlNode? node)
    {
        if (node is null) return new ExitStep();
        var map = Map(node, StepKinds.Exit, ExitKeys, "{} or { code: 1 }", allowNull: true);
        return new ExitStep { Code = map.Int("code", 0, 255) ?? 0 };
    }

    private ForkStep Fork(YamlNode? node)
    {
        if (node is null) return new ForkStep();
        var map = Map(node, StepKinds.Fork, ForkKeys, "{} or { name: child, steps: [ ... ] }", allowNull: true);
        return new ForkStep
        {
            Name = map.String("name"),
            Steps = map.Get("steps") is { } steps ? ParseList(steps, "fork.steps") : [],
        };
    }

    private TraceStep Trace(YamlNode node)
    {
        var map = Map(node, StepKinds.Trace, TraceKeys, "{ file: prog.lackey, format: lackey }");
        string file = map.RequiredString("file", "a lackey trace, relative to the scenario file; .gz is read too");
        string format = map.String("format") ?? "lackey";
        if (!TraceFormats.Contains(format))
            throw map.Error("format", $"invalid trace.format '{format}'{Suggest.Expected(format, TraceFormats)}");
        string resolved = TraceFiles.Resolve(file, source)
            ?? throw map.Error("file", $"trace file '{file}' not found (looked beside the scenario, {TraceFiles.Describe(file, source)})");
        return new TraceStep { File = file, ResolvedPath = resolved, Format = format };
    }

    private Prot ParseProt(YamlMap map, string key)
    {
        string text = map.String(key)!;
        return ProtParser.TryParse(text, out var prot)
            ? prot
            : throw map.Error(key, $"invalid {map.Name(key)} '{text}'; expected r, rw, rx or rwx (or none)");
    }

    private static long? SizeOf(YamlMap map, string key, bool required, bool positive)
    {
        if (required) map.Required(key);
        long? value = map.Size(key);
        if (positive && value == 0) throw map.Error(key, $"{map.Name(key)} must be greater than 0");
        return value;
    }
}
