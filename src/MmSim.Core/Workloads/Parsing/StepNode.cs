using YamlDotNet.RepresentationModel;

namespace MmSim.Workloads;

/// <summary>
/// Splits one item of a <c>steps:</c> list into its kind and parameters, for every step language (paged processes
/// and segmented ones): a step is a one-key mapping whose key is the kind (<c>- touch: {...}</c>), or a bare kind
/// for the steps that take no parameters (<c>- exit</c>).
/// </summary>
internal static class StepNode
{
    /// <summary>The kind, its parameters (null for a bare step) and the node that names the kind (for line numbers).
    /// <paramref name="checkKind"/> throws for a kind the language does not have; <paramref name="example"/> is a
    /// well-formed step of that language, shown in the errors.</summary>
    public static (string Kind, YamlNode? Value, YamlNode KeyNode) Split(string source, YamlNode node,
        IReadOnlyCollection<string> bare, Action<string, YamlNode> checkKind, string example)
    {
        switch (node)
        {
            case YamlScalarNode scalar when !YamlScalars.IsNull(scalar):
                string kind = scalar.Value!;
                checkKind(kind, scalar);
                if (!bare.Contains(kind))
                    throw YamlScalars.Error(source, node, $"step '{kind}' needs parameters: write '{kind}: {{ ... }}'");
                return (kind, null, scalar);
            case YamlMappingNode { Children.Count: 1 } mapping:
                var (k, v) = mapping.Children.First();
                string named = k is YamlScalarNode { Value: { } name } ? name : "";
                checkKind(named, k);
                return (named, v, k);
            case YamlMappingNode mapping:
                string keys = string.Join(", ", mapping.Children.Keys.Select(key => key.ToString()));
                throw YamlScalars.Error(source, node,
                    $"a step has exactly one key, the kind of step; got {mapping.Children.Count} ({keys}). " +
                    $"Put the parameters inside it ('- {example}') and start each step with '-'");
            default:
                throw YamlScalars.Error(source, node,
                    $"a step must be a one-key mapping like '- {example}', got {YamlScalars.Kind(node)}");
        }
    }
}
