using YamlDotNet.RepresentationModel;

namespace MmSim.Workloads;

/// <summary>
/// What-if changes to a scenario from the command line (<c>--set vm.swappiness=10</c>, <c>--compare ...</c>):
/// <c>vm.KEY</c>, <c>machine.KEY</c>, <c>seed</c>, or <c>PROCESS.KEY</c> for a process by name (e.g.
/// <c>db.oom_score_adj</c>), or <c>cgroup:PATH:FILE</c> for a cgroup's file (<c>cgroup:db:memory.low</c>). The change is made in the YAML and the result parsed and validated again, so a
/// wrong key or value gets the same clear error as in a file.
/// </summary>
public static class ScenarioOverrides
{
    public static Scenario Apply(string yaml, string sourceName, string? defaultName,
        IReadOnlyList<(string Key, string Value)> overrides)
    {
        if (overrides.Count == 0) return ScenarioLoader.LoadText(yaml, sourceName, defaultName);
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new InputException(sourceName, 0, "the scenario is not a YAML mapping");
        foreach (var (key, value) in overrides) Set(root, key, value, sourceName);
        var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        string label = string.Join(", ", overrides.Select(o => $"{o.Key}={o.Value}"));
        try
        {
            return ScenarioLoader.LoadText(writer.ToString(), sourceName, defaultName);
        }
        catch (InputException e)
        {
            throw new InputException($"{sourceName} with {label}", 0, e.Message);
        }
    }

    /// <summary>Parses "KEY=VALUE".</summary>
    public static (string Key, string Value) ParseAssignment(string text, string option)
    {
        int eq = text.IndexOf('=');
        if (eq <= 0 || eq == text.Length - 1)
            throw new InputException(option, 0, $"expected KEY=VALUE such as vm.swappiness=10, got '{text}'");
        return (text[..eq].Trim(), text[(eq + 1)..].Trim());
    }

    private static void Set(YamlMappingNode root, string key, string value, string source)
    {
        if (key.StartsWith("cgroup:", StringComparison.Ordinal)) { SetCgroup(root, key, value, source); return; }
        string[] parts = key.Split('.');
        if (parts.Length == 1)
        {
            if (key != "seed") throw new InputException(source, 0, $"cannot set '{key}'; expected vm.KEY, machine.KEY, seed or PROCESS.KEY");
            root.Children[new YamlScalarNode("seed")] = new YamlScalarNode(value);
            return;
        }
        if (parts.Length != 2) throw new InputException(source, 0, $"cannot set '{key}'; expected vm.KEY, machine.KEY, seed or PROCESS.KEY");
        var (section, field) = (parts[0], parts[1]);
        YamlMappingNode target;
        if (section is "vm" or "machine")
        {
            if (!root.Children.TryGetValue(new YamlScalarNode(section), out var node) || node is not YamlMappingNode map)
            {
                map = new YamlMappingNode();
                root.Children[new YamlScalarNode(section)] = map;
            }
            target = map;
        }
        else
        {
            target = FindProcess(root, section)
                ?? throw new InputException(source, 0, $"cannot set '{key}': no process named '{section}' (and not vm. or machine.)");
        }
        target.Children[new YamlScalarNode(field)] = new YamlScalarNode(value);
    }

    /// <summary>memcg issue: <c>cgroup:PATH:FILE=VALUE</c>, e.g. <c>cgroup:db:memory.low=0</c>, changes a cgroup's file.</summary>
    private static void SetCgroup(YamlMappingNode root, string key, string value, string source)
    {
        string[] parts = key.Split(':');
        if (parts.Length != 3 || parts[1].Length == 0 || parts[2].Length == 0)
            throw new InputException(source, 0, $"cannot set '{key}'; expected cgroup:PATH:FILE such as cgroup:web:memory.max");
        string path = parts[1].Trim('/');
        if (root.Children.TryGetValue(new YamlScalarNode("cgroups"), out var list) && list is YamlSequenceNode seq)
            foreach (var item in seq)
                if (item is YamlMappingNode c && c.Children.TryGetValue(new YamlScalarNode("path"), out var p) &&
                    p is YamlScalarNode s && s.Value?.Trim('/') == path)
                {
                    c.Children[new YamlScalarNode(parts[2])] = new YamlScalarNode(value);
                    return;
                }
        throw new InputException(source, 0, $"cannot set '{key}': no cgroup '{path}' in cgroups:");
    }

    private static YamlMappingNode? FindProcess(YamlMappingNode root, string name)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode("processes"), out var list) || list is not YamlSequenceNode seq) return null;
        foreach (var item in seq)
            if (item is YamlMappingNode p && p.Children.TryGetValue(new YamlScalarNode("name"), out var n) &&
                n is YamlScalarNode s && s.Value == name)
                return p;
        return null;
    }
}
