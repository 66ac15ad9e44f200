using System.Reflection;

namespace MmSim.Workloads;

/// <summary>The scenarios embedded in the binary (Workloads/Builtin/*.yaml, resources "scenarios/NAME.yaml").</summary>
public static class BuiltinScenarios
{
    private const string Prefix = "scenarios/", Suffix = ".yaml";

    /// <summary>The scenario <c>mmsim run</c> uses when given none.</summary>
    public const string Default = "lazy-allocation";

    private static readonly Assembly Assembly = typeof(BuiltinScenarios).Assembly;

    /// <summary>The names of the built-ins, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(Suffix, StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..^Suffix.Length])
        .Order(StringComparer.Ordinal)
        .ToArray();

    public static bool Exists(string name) => Names.Contains(Normalize(name));

    /// <summary>Loads a built-in by name ("lazy-allocation", ".yaml" optional).</summary>
    public static Scenario Load(string name) => ScenarioLoader.LoadText(Text(name), Prefix + Normalize(name) + Suffix,
        Normalize(name));

    /// <summary>The YAML text of a built-in, e.g. to show or copy it.</summary>
    public static string Text(string name)
    {
        string n = Normalize(name);
        using var stream = Names.Contains(n) ? Assembly.GetManifestResourceStream(Prefix + n + Suffix) : null;
        if (stream is null)
            throw new InputException("command line", 0,
                $"unknown built-in scenario '{name}'{Suggest.Expected(name, Names)}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Each built-in's name and title, sorted by name.</summary>
    public static IReadOnlyList<(string Name, string? Title)> List() =>
        Names.Select(n => (n, Load(n).Title)).ToArray();

    private static string Normalize(string name) =>
        name.EndsWith(Suffix, StringComparison.Ordinal) ? name[..^Suffix.Length] : name;
}
