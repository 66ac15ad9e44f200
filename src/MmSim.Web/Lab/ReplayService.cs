using System.Text.Json;
using MmSim.Replay;
using MmSim.Replay.Traces;

namespace MmSim.Web.Lab;

/// <summary>POST /api/replay: <c>{ "refs": "7,0,1,2,0,3", "frames": [3, 4], "policies": ["fifo", "lru", "opt"],
/// "explain": true }</c> → the <c>results</c> of <c>mmsim replay --json</c> (same builder), and with explain the
/// textbook table of each policy and size.</summary>
public static class ReplayService
{
    /// <summary>References accepted (the page lab is for reference strings, not traces).</summary>
    public const int MaxRefs = 100_000;
    public const int MaxExplainRefs = 64;
    public const int MaxFrames = 1_000_000;

    public static ApiResult Run(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return ApiResult.BadInput("expected a JSON object { refs, frames, policies, explain }", 0);
            string refs = root.TryGetProperty("refs", out var r) && r.ValueKind == JsonValueKind.String
                ? r.GetString()!
                : throw new InputException("refs", 0, "expected \"refs\": a reference string such as \"7,0,1,2,0,3\"");
            var trace = TraceLoader.FromRefs(refs);
            if (trace.Count > MaxRefs) throw new InputException("refs", 0, $"at most {MaxRefs:N0} references, got {trace.Count:N0}");
            var frames = Ints(root, "frames");
            if (frames.Count == 0 || frames.Count > 32) throw new InputException("frames", 0, "expected 1 to 32 numbers of frames, e.g. [3, 4]");
            foreach (int f in frames)
                if (f < 1 || f > MaxFrames) throw new InputException("frames", 0, $"expected a number of frames from 1 to {MaxFrames:N0}, got {f}");
            var policies = Strings(root, "policies");
            if (policies.Count == 0 || policies.Count > 32) throw new InputException("policies", 0, "expected 1 to 32 policies, e.g. [\"fifo\", \"lru\", \"opt\"]");
            foreach (var p in policies) PolicyRegistry.Get(p);
            bool explain = root.TryGetProperty("explain", out var e) && e.ValueKind == JsonValueKind.True;
            if (explain && trace.Count > MaxExplainRefs)
                throw new InputException("explain", 0, $"the table is for short reference strings (at most {MaxExplainRefs} references), this one has {trace.Count}");

            var report = ReplayRunner.Run(trace, policies, frames, new PolicyOptions(), 1);
            return ApiResult.Ok(ReplayJson.Write(j =>
            {
                j.WriteStartObject();
                j.WriteString("trace", trace.Name);
                j.WriteString("format", "refs");
                j.WriteNumber("requests", trace.Count);
                j.WriteNumber("distinct", trace.Distinct);
                ReplayJson.WriteResults(j, report.Results);
                if (explain)
                {
                    j.WriteStartArray("explain");
                    foreach (var name in policies)
                        foreach (int f in frames)
                        {
                            var p = PolicyRegistry.Create(name, f, new PolicyOptions(), trace);
                            var steps = Explain.Run(p, trace.Keys);
                            ReplayJson.WriteExplain(j, name, f, p, steps);
                        }
                    j.WriteEndArray();
                }
                j.WriteEndObject();
            }));
        }
        catch (InputException ex)
        {
            return ApiResult.BadInput(ex.Format(), 0);
        }
        catch (JsonException ex)
        {
            return ApiResult.BadInput($"the body is not valid JSON: {ex.Message}", 0);
        }
    }

    private static List<int> Ints(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var v)) throw new InputException(name, 0, $"expected \"{name}\": a list of numbers");
        if (v.ValueKind == JsonValueKind.Number) return [v.TryGetInt32(out int one) ? one : -1];
        if (v.ValueKind == JsonValueKind.String)
            return ReplayRunner.ParseFrames(v.GetString()!, () => 1).ToList();
        if (v.ValueKind != JsonValueKind.Array) throw new InputException(name, 0, $"expected \"{name}\": a list of numbers");
        var list = new List<int>();
        foreach (var x in v.EnumerateArray())
            list.Add(x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out int i) ? i
                : throw new InputException(name, 0, $"expected numbers in \"{name}\", got {x.GetRawText()}"));
        return list;
    }

    private static List<string> Strings(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var v)) throw new InputException(name, 0, $"expected \"{name}\": a list of names");
        if (v.ValueKind == JsonValueKind.String)
            return v.GetString()!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (v.ValueKind != JsonValueKind.Array) throw new InputException(name, 0, $"expected \"{name}\": a list of names");
        var list = new List<string>();
        foreach (var x in v.EnumerateArray())
            list.Add(x.ValueKind == JsonValueKind.String ? x.GetString()! : throw new InputException(name, 0, $"expected names in \"{name}\", got {x.GetRawText()}"));
        return list;
    }
}
