using System.Globalization;
using System.Security.Cryptography;
using MmSim.Replay;
using MmSim.Replay.Traces;
using MmSim.Workloads;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MmSim.Sweep;

/// <summary>Reads a sweep file. Every problem is an <see cref="InputException"/> naming the file and line.</summary>
public static class SweepParser
{
    private static readonly string[] TopKeys = ["name", "traces", "policies", "frames", "scenario", "grid"];
    private static readonly string[] TraceKeys =
        ["path", "format", "page_size", "no_instructions", "csv_id_column", "csv_header", "csv_delimiter", "csv_id_hash"];

    public static SweepSpec Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            string why = ex is FileNotFoundException or DirectoryNotFoundException ? "no such file" : ex.Message;
            throw new InputException(path, 0, $"cannot read sweep file: {why}");
        }
        string dir = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        return Parse(System.Text.Encoding.UTF8.GetString(bytes), path, dir, HashOf(bytes));
    }

    public static string HashOf(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static SweepSpec Parse(string yaml, string source, string baseDir, string hash)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new InputException(source, (int)e.Start.Line, $"not valid YAML: {e.InnerException?.Message ?? e.Message}", (int)e.Start.Column);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new InputException(source, 1, "expected a mapping with name, traces/policies/frames or scenario/grid");

        var p = new Ctx(source);
        foreach (var (k, _) in root.Children)
        {
            string key = p.Scalar(k, "a key");
            if (!TopKeys.Contains(key))
                throw p.Error(k, $"unknown key '{key}'; expected one of: {string.Join(", ", TopKeys)}");
        }
        var get = (string key) => root.Children.TryGetValue(new YamlScalarNode(key), out var n) ? n : null;
        string name = get("name") is { } nn ? p.Scalar(nn, "a sweep name") : Path.GetFileNameWithoutExtension(source);
        if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            throw p.Error(get("name") ?? root, $"name: expected letters, digits, '-', '_' or '.', got '{name}'");

        var scenarioNode = get("scenario");
        var tracesNode = get("traces");
        if (scenarioNode is not null && tracesNode is not null)
            throw p.Error(scenarioNode, "a sweep has either traces (with policies and frames) or a scenario (with grid), not both");
        if (scenarioNode is null && tracesNode is null)
            throw p.Error(root, "expected 'traces' (with 'policies' and 'frames') or 'scenario' (with 'grid')");

        if (scenarioNode is not null)
        {
            foreach (var k in new[] { "policies", "frames" })
                if (get(k) is { } bad) throw p.Error(bad, $"'{k}' belongs to trace sweeps; a scenario sweep has 'grid'");
            string scenario = p.Scalar(scenarioNode, "a scenario file or built-in name");
            var gridNode = get("grid") ?? throw p.Error(scenarioNode, "a scenario sweep needs 'grid: { KEY: [values], ... }'");
            var grid = ParseGrid(p, gridNode);
            var (text, src, defName) = ScenarioSource.Resolve(scenario, baseDir, source, Line(scenarioNode));
            // Each value alone must give a valid scenario: a typo is reported now, with its line, not by a shard.
            foreach (var g in grid)
                foreach (var v in g.Values)
                {
                    try
                    {
                        ScenarioOverrides.Apply(text, src, defName, [(g.Key, v)]);
                    }
                    catch (InputException e)
                    {
                        throw new InputException(source, g.Line, $"grid {g.Key}={v}: {e.Message}");
                    }
                }
            return new SweepSpec { SourceName = source, BaseDir = baseDir, Hash = hash, Name = name, Scenario = scenario, Grid = grid };
        }

        if (get("grid") is { } g2) throw p.Error(g2, "'grid' belongs to scenario sweeps; a trace sweep has 'policies' and 'frames'");
        var traces = ParseTraces(p, tracesNode!);
        var policies = ParsePolicies(p, get("policies") ?? throw p.Error(tracesNode!, "a trace sweep needs 'policies: [lru, ...]'"));
        var frames = ParseFrames(p, get("frames") ?? throw p.Error(tracesNode!, "a trace sweep needs 'frames: [10%, 1000, ...]'"));
        return new SweepSpec
        {
            SourceName = source, BaseDir = baseDir, Hash = hash, Name = name,
            Traces = traces, Policies = policies, Frames = frames,
        };
    }

    private static int Line(YamlNode n) => (int)n.Start.Line;

    private static List<SweepTraceEntry> ParseTraces(Ctx p, YamlNode node)
    {
        var list = new List<SweepTraceEntry>();
        foreach (var item in p.Sequence(node, "traces"))
        {
            if (item is YamlScalarNode s)
            {
                string path = p.Scalar(s, "a trace path");
                list.Add(new SweepTraceEntry(path, new TraceOptions { Format = TraceOptions.Guess(path) }, false, Line(s)));
                continue;
            }
            if (item is not YamlMappingNode m) throw p.Error(item, "expected a path or { path: ..., format: ... }");
            string? pathText = null;
            var opt = new TraceOptions();
            bool formatGiven = false;
            foreach (var (k, v) in m.Children)
            {
                string key = p.Scalar(k, "a key");
                string val = p.Scalar(v, $"a value for '{key}'");
                switch (key)
                {
                    case "path": pathText = val; break;
                    case "format":
                        try { opt = opt with { Format = TraceOptions.Parse(val) }; }
                        catch (InputException e) { throw p.Error(v, e.Message); }
                        formatGiven = true;
                        break;
                    case "page_size":
                        opt = opt with { PageSize = Units.ParseSize(val, p.Source, Line(v), (int)v.Start.Column) };
                        if (opt.PageSize <= 0) throw p.Error(v, $"page_size: expected a positive size, got '{val}'");
                        break;
                    case "no_instructions": opt = opt with { NoInstructions = p.Bool(v, val) }; break;
                    case "csv_header": opt = opt with { CsvHeader = p.Bool(v, val) }; break;
                    case "csv_id_hash": opt = opt with { CsvIdIsNumber = !p.Bool(v, val) }; break;
                    case "csv_id_column":
                        if (!int.TryParse(val, NumberStyles.Integer, CultureInfo.InvariantCulture, out int col) || col < 1)
                            throw p.Error(v, $"csv_id_column: expected a 1-based column number, got '{val}'");
                        opt = opt with { CsvIdColumn = col };
                        break;
                    case "csv_delimiter":
                        if (val == "tab") val = "\t";
                        if (val.Length != 1) throw p.Error(v, $"csv_delimiter: expected one character, got '{val}'");
                        opt = opt with { CsvDelimiter = val[0] };
                        break;
                    default:
                        throw p.Error(k, $"unknown trace key '{key}'; expected one of: {string.Join(", ", TraceKeys)}");
                }
            }
            if (pathText is null) throw p.Error(m, "a trace entry needs 'path'");
            if (!formatGiven) opt = opt with { Format = TraceOptions.Guess(pathText) };
            list.Add(new SweepTraceEntry(pathText, opt, formatGiven, Line(m)));
        }
        if (list.Count == 0) throw p.Error(node, "traces: expected at least one trace");
        return list;
    }

    private static List<SweepPolicy> ParsePolicies(Ctx p, YamlNode node)
    {
        var list = new List<SweepPolicy>();
        foreach (var item in p.Sequence(node, "policies"))
        {
            string name;
            var opt = new PolicyOptions();
            var paramText = new List<string>();
            var replayArgs = new List<string>();
            if (item is YamlScalarNode s) name = p.Scalar(s, "a policy name");
            else if (item is YamlMappingNode m)
            {
                var nameNode = m.Children.TryGetValue(new YamlScalarNode("name"), out var nn) ? nn
                    : throw p.Error(m, "a policy with parameters needs 'name', e.g. { name: clock, bits: 2 }");
                name = p.Scalar(nameNode, "a policy name");
                CheckPolicy(p, nameNode, name);
                name = PolicyRegistry.Get(name).Name;
                foreach (var (k, v) in m.Children)
                {
                    string key = p.Scalar(k, "a key");
                    if (key == "name") continue;
                    string val = p.Scalar(v, $"a value for '{key}'");
                    (PolicyOptions, string)? r;
                    try { r = SweepPolicyParams.Apply(name, key, val, opt); }
                    catch (FormatException e) { throw p.Error(v, $"{name}: {e.Message}"); }
                    if (r is not { } ok)
                    {
                        var keys = SweepPolicyParams.KeysOf(name).ToList();
                        throw p.Error(k, keys.Count == 0 ? $"{name} takes no parameters, got '{key}'"
                            : $"unknown parameter '{key}' of {name}; expected one of: {string.Join(", ", keys)}");
                    }
                    opt = ok.Item1;
                    paramText.Add($"{key}={val}");
                    replayArgs.Add(ok.Item2);
                    replayArgs.Add(val);
                }
                try { opt.Validate(); }
                catch (InputException e) { throw p.Error(m, $"{name}: {e.Message}"); }
            }
            else throw p.Error(item, "expected a policy name or { name: ..., PARAM: value }");
            CheckPolicy(p, item, name);
            name = PolicyRegistry.Get(name).Name;
            var pol = new SweepPolicy(name, opt, string.Join(";", paramText), Line(item)) { ReplayArgs = replayArgs };
            if (list.Any(x => x.Name == pol.Name && x.Params == pol.Params))
                throw p.Error(item, $"policy {name}{(pol.Params.Length > 0 ? " " + pol.Params : "")} is listed twice");
            list.Add(pol);
        }
        if (list.Count == 0) throw p.Error(node, "policies: expected at least one policy");
        return list;
    }

    private static void CheckPolicy(Ctx p, YamlNode node, string name)
    {
        if (!PolicyRegistry.All.Any(x => string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase)))
            throw p.Error(node, $"unknown policy '{name}'; expected one of: {string.Join(", ", PolicyRegistry.All.Select(x => x.Name))}");
    }

    private static List<string> ParseFrames(Ctx p, YamlNode node)
    {
        var list = new List<string>();
        var seen = new HashSet<string>();
        foreach (var item in p.Sequence(node, "frames"))
        {
            string f = p.Scalar(item, "a frame count or a percentage");
            try { ReplayRunner.ParseFrames(f, () => 100); }
            catch (InputException e) { throw p.Error(item, "frames: " + e.Message); }
            if (f.Contains(',')) throw p.Error(item, $"frames: expected one size per list entry, got '{f}'");
            if (!seen.Add(f)) throw p.Error(item, $"frames: '{f}' is listed twice");
            list.Add(f);
        }
        if (list.Count == 0) throw p.Error(node, "frames: expected at least one size");
        return list;
    }

    private static List<SweepGridKey> ParseGrid(Ctx p, YamlNode node)
    {
        if (node is not YamlMappingNode m) throw p.Error(node, "grid: expected a mapping { KEY: [values], ... }");
        var list = new List<SweepGridKey>();
        foreach (var (k, v) in m.Children)
        {
            string key = p.Scalar(k, "a setting such as vm.swappiness");
            var values = new List<string>();
            if (v is YamlScalarNode one) values.Add(p.Scalar(one, "a value"));
            else foreach (var item in p.Sequence(v, key)) values.Add(p.Scalar(item, $"a value of {key}"));
            if (values.Count == 0) throw p.Error(v, $"grid {key}: expected at least one value");
            if (values.Distinct().Count() != values.Count) throw p.Error(v, $"grid {key}: a value is listed twice");
            list.Add(new SweepGridKey(key, values, Line(k)));
        }
        if (list.Count == 0) throw p.Error(node, "grid: expected at least one setting");
        return list;
    }

    private sealed class Ctx(string source)
    {
        public string Source => source;

        public InputException Error(YamlNode n, string msg) => new(source, (int)n.Start.Line, msg, (int)n.Start.Column);

        public string Scalar(YamlNode n, string what) =>
            n is YamlScalarNode s && s.Value is not null ? s.Value.Trim() : throw Error(n, $"expected {what}");

        public IEnumerable<YamlNode> Sequence(YamlNode n, string key) =>
            n is YamlSequenceNode s ? s.Children : throw Error(n, $"{key}: expected a list [a, b, ...]");

        public bool Bool(YamlNode n, string v) => v switch
        {
            "true" or "yes" => true,
            "false" or "no" => false,
            _ => throw Error(n, $"expected true or false, got '{v}'"),
        };
    }
}

/// <summary>Where a scenario sweep's scenario comes from: a file beside the sweep file, else a built-in.</summary>
public static class ScenarioSource
{
    /// <summary>The scenario's text, the source name its report carries (as <c>mmsim run ARG</c> would) and its
    /// default name.</summary>
    public static (string Text, string Source, string Name) Resolve(string arg, string baseDir, string sweepSource, int line)
    {
        string path = Path.IsPathRooted(arg) ? arg : Path.Combine(baseDir, arg);
        if (File.Exists(path)) return (ScenarioLoader.ReadFile(path), arg, Path.GetFileNameWithoutExtension(arg));
        if (BuiltinScenarios.Exists(arg)) return (BuiltinScenarios.Text(arg), $"scenarios/{arg}.yaml", arg);
        throw new InputException(sweepSource, line,
            $"scenario '{arg}': no such file beside the sweep file and no such built-in; built-ins are: {string.Join(", ", BuiltinScenarios.Names)}");
    }
}
