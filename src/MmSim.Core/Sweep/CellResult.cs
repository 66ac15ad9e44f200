using System.Text.Json;
using System.Text.Json.Serialization;

namespace MmSim.Sweep;

/// <summary>One finished cell as stored in DIR/results/: the replay's counts (trace cells) or the settings, the
/// headline counters and the whole <c>mmsim run --json</c> report (scenario cells). No timings, so the same cell
/// always gives the same bytes.</summary>
public sealed class CellResult
{
    [JsonPropertyName("cell")] public string Cell { get; set; } = "";

    [JsonPropertyName("trace"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Trace { get; set; }
    [JsonPropertyName("format"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Format { get; set; }
    [JsonPropertyName("policy"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Policy { get; set; }
    [JsonPropertyName("params"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Params { get; set; }
    [JsonPropertyName("frames_spec"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? FramesSpec { get; set; }
    [JsonPropertyName("frames")] public int Frames { get; set; }
    [JsonPropertyName("requests")] public long Requests { get; set; }
    [JsonPropertyName("hits")] public long Hits { get; set; }
    [JsonPropertyName("misses")] public long Misses { get; set; }
    [JsonPropertyName("miss_ratio")] public double MissRatio { get; set; }

    [JsonPropertyName("scenario"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Scenario { get; set; }
    [JsonPropertyName("settings"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public OrderedDictionary<string, string>? Settings { get; set; }
    [JsonPropertyName("counters"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public OrderedDictionary<string, long>? Counters { get; set; }
    [JsonPropertyName("report"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public JsonElement? Report { get; set; }

    [JsonIgnore] public bool IsScenario => Scenario is not null;

    public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, CellResultJson.Default.CellResult);

    public static CellResult FromUtf8(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, CellResultJson.Default.CellResult) ?? throw new JsonException("empty result");

    /// <summary>The counters a scenario sweep's table shows: the vmstat counters reclaim, swap and OOM move
    /// (names as in /proc/vmstat), as <c>mmsim run --compare</c> shows them.</summary>
    public static readonly string[] ScenarioCounters =
    [
        "pgfault", "pgmajfault", "pswpin", "pswpout", "pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd",
        "pgsteal_direct", "pgsteal_anon", "pgsteal_file", "allocstall_dma32", "allocstall_normal", "allocstall_movable",
        "pgactivate", "pgdeactivate", "pgrefill", "workingset_refault_anon", "workingset_refault_file",
        "workingset_activate_file", "nr_written", "pgrotated", "oom_kill",
    ];
}

[JsonSerializable(typeof(CellResult))]
[JsonSourceGenerationOptions(WriteIndented = false)]
internal partial class CellResultJson : JsonSerializerContext;
