using YamlDotNet.RepresentationModel;

namespace MmSim.Workloads;

/// <summary>
/// A YAML mapping whose keys were checked against the allowed ones, with typed getters that name the value
/// (<c>path.key</c>) and its line in every error. <see cref="Path"/> is "" for the top level, else e.g. "vm",
/// "machine.latency", "alloc".
/// </summary>
internal sealed class YamlMap
{
    private readonly Dictionary<string, (YamlScalarNode Key, YamlNode Value)> _entries = new(StringComparer.Ordinal);

    public string Source { get; }
    public string Path { get; }
    public YamlNode Node { get; }
    public int Line => YamlScalars.Line(Node);

    private YamlMap(string source, string path, YamlNode node)
    {
        Source = source;
        Path = path;
        Node = node;
    }

    /// <summary>Reads a mapping (a null node reads as an empty one when <paramref name="allowNull"/>).</summary>
    public static YamlMap Of(string source, YamlNode node, string path, IReadOnlyList<string> allowed,
        string? shape = null, bool allowNull = false)
    {
        var map = new YamlMap(source, path, node);
        if (allowNull && YamlScalars.IsNull(node)) return map;
        if (node is not YamlMappingNode mapping)
        {
            string name = path.Length == 0 ? "the scenario" : path;
            string expected = shape ?? "a mapping { key: value, ... }";
            throw YamlScalars.Error(source, node, $"{name} must be {expected}, got {YamlScalars.Kind(node)}");
        }
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode key || key.Value is null)
                throw YamlScalars.Error(source, keyNode, $"keys of {path} must be names");
            if (!allowed.Contains(key.Value))
            {
                string where = path.Length == 0
                    ? $"unknown top-level key '{key.Value}'"
                    : $"unknown key '{key.Value}' in {path}";
                throw YamlScalars.Error(source, key, where + Suggest.Expected(key.Value, allowed));
            }
            map._entries[key.Value] = (key, value);
        }
        return map;
    }

    public string Name(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    public bool Has(string key) => _entries.ContainsKey(key);

    /// <summary>The value node of <paramref name="key"/>, or null when absent.</summary>
    public YamlNode? Get(string key) => _entries.TryGetValue(key, out var e) ? e.Value : null;

    /// <summary>The key node of <paramref name="key"/> (for errors about the key itself), or the mapping.</summary>
    public YamlNode At(string key) => _entries.TryGetValue(key, out var e) ? e.Key : Node;

    public YamlNode Required(string key, string? hint = null) =>
        Get(key) ?? throw YamlScalars.Error(Source, Node,
            $"{(Path.Length == 0 ? "the scenario" : Path)} needs '{key}'{(hint is null ? "" : $" ({hint})")}");

    public InputException Error(string key, string message) =>
        YamlScalars.Error(Source, Get(key) ?? Node, message);

    public string? String(string key) => Get(key) is { } n ? YamlScalars.NonEmptyText(Source, n, Name(key)) : null;

    public string RequiredString(string key, string? hint = null) =>
        YamlScalars.NonEmptyText(Source, Required(key, hint), Name(key));

    public long? Size(string key) => Get(key) is { } n ? YamlScalars.Size(Source, n, Name(key)) : null;

    public long? Time(string key) => Get(key) is { } n ? YamlScalars.Time(Source, n, Name(key)) : null;

    public bool? Bool(string key) => Get(key) is { } n ? YamlScalars.Bool(Source, n, Name(key)) : null;

    public long? Integer(string key, long min, long max) =>
        Get(key) is { } n ? YamlScalars.Integer(Source, n, Name(key), min, max) : null;

    public int? Int(string key, int min, int max) => (int?)Integer(key, min, max);

    public double? Double(string key, double min, double max) =>
        Get(key) is { } n ? YamlScalars.Double(Source, n, Name(key), min, max) : null;

    /// <summary>A size that must lie in [min, max]; the message shows the bounds with units.</summary>
    public long? SizeInRange(string key, long min, long max)
    {
        long? value = Size(key);
        if (value is { } v && (v < min || v > max))
        {
            string text = YamlScalars.Text(Source, Get(key)!, Name(key));
            throw Error(key, max == long.MaxValue
                ? $"{Name(key)} must be at least {Units.FormatSize(min)}, got {text}"
                : $"{Name(key)} must be between {Units.FormatSize(min)} and {Units.FormatSize(max)}, got {text}");
        }
        return value;
    }
}
