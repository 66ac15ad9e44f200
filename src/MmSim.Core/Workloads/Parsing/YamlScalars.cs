using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MmSim.Workloads;

/// <summary>Converts YAML nodes to values, throwing <see cref="InputException"/> at the node's line and column.
/// <paramref name="what"/> names the value in messages ("vm.swappiness").</summary>
internal static class YamlScalars
{
    public static int Line(YamlNode node) => (int)node.Start.Line;

    public static int Column(YamlNode node) => (int)node.Start.Column;

    public static InputException Error(string source, YamlNode node, string message) =>
        new(source, Line(node), message, Column(node));

    /// <summary>True for a plain empty scalar, <c>~</c> or <c>null</c>.</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s
        && (s.Value is null or "" or "~" or "null" or "Null" or "NULL");

    public static string Kind(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        _ when IsNull(node) => "nothing",
        _ => "a value",
    };

    public static string Text(string source, YamlNode node, string what)
    {
        if (node is YamlScalarNode s && !IsNull(node)) return s.Value ?? "";
        throw Error(source, node, $"{what} must be a single value, got {Kind(node)}");
    }

    public static string NonEmptyText(string source, YamlNode node, string what)
    {
        string text = Text(source, node, what);
        return text.Trim().Length > 0 ? text : throw Error(source, node, $"{what} must not be empty");
    }

    public static long Size(string source, YamlNode node, string what) =>
        Units.ParseSize(Text(source, node, what), source, Line(node), Column(node));

    public static long Time(string source, YamlNode node, string what) =>
        Units.ParseTime(Text(source, node, what), source, Line(node), Column(node));

    public static bool Bool(string source, YamlNode node, string what) =>
        Text(source, node, what).ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            var t => throw Error(source, node, $"{what} must be true or false, got '{t}'"),
        };

    /// <summary>An integer in [min, max]: decimal, or hexadecimal with 0x.</summary>
    public static long Integer(string source, YamlNode node, string what, long min, long max)
    {
        string text = Text(source, node, what);
        if (!TryInteger(text, out long value))
            throw Error(source, node, $"{what} must be a whole number, got '{text}'");
        if (value < min || value > max) throw Error(source, node, RangeMessage(what, min, max, text));
        return value;
    }

    public static double Double(string source, YamlNode node, string what, double min, double max)
    {
        string text = Text(source, node, what);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || !double.IsFinite(value))
            throw Error(source, node, $"{what} must be a number, got '{text}'");
        if (value < min || value > max)
            throw Error(source, node, $"{what} must be between {Fmt(min)} and {Fmt(max)}, got {text}");
        return value;
    }

    /// <summary>An unsigned 64-bit value: hexadecimal (0x...) or decimal, '_' allowed between digits.</summary>
    public static ulong Unsigned(string source, YamlNode node, string what)
    {
        string text = Text(source, node, what);
        if (TryUnsigned(text, out ulong value)) return value;
        throw Error(source, node,
            $"invalid {what} '{text}'; expected a hexadecimal (0x7f0000001000) or decimal number below 2^64");
    }

    public static string RangeMessage(string what, long min, long max, string got) =>
        max == long.MaxValue ? $"{what} must be at least {min}, got {got}" : $"{what} must be between {min} and {max}, got {got}";

    public static bool TryUnsigned(string text, out ulong value)
    {
        string t = text.Trim().Replace("_", "");
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return ulong.TryParse(t.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        return ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryInteger(string text, out long value)
    {
        string t = text.Trim();
        bool negative = t.StartsWith('-');
        if (negative || t.StartsWith('+')) t = t[1..];
        value = 0;
        if (t.Length == 0 || t[0] == '-' || t[0] == '+' || !TryUnsigned(t, out ulong u)) return false;
        if (negative)
        {
            if (u > (ulong)long.MaxValue + 1) return false;
            value = unchecked(-(long)u);
            return true;
        }
        if (u > long.MaxValue) return false;
        value = (long)u;
        return true;
    }

    private static string Fmt(double d) => d.ToString(CultureInfo.InvariantCulture);
}
