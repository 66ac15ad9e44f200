using System.Text;
using System.Text.Json;

namespace MmSim.Replay;

/// <summary>The JSON documents of <c>mmsim replay --json</c> (and <c>--explain</c> as JSON, which the web lab
/// shows): built here so that the CLI and the server write the same bytes.</summary>
public static class ReplayJson
{
    public static string Document(ReplayReport r, string format, MissRatioCurve? curve, IReadOnlyList<int> sizes) =>
        Write(j =>
        {
            j.WriteStartObject();
            j.WriteString("trace", r.Trace.Name);
            j.WriteString("format", format);
            j.WriteNumber("requests", r.Trace.Count);
            j.WriteNumber("distinct", r.Trace.Distinct);
            WriteResults(j, r.Results);
            if (curve != null) WriteCurve(j, curve, sizes);
            j.WriteNumber("seconds", r.Seconds);
            j.WriteNumber("requests_per_second", r.RequestsPerSecond);
            j.WriteEndObject();
        });

    /// <summary>The <c>results</c> list: policy, frames, hits, misses, miss_ratio.</summary>
    public static void WriteResults(Utf8JsonWriter j, IEnumerable<ReplayResult> results)
    {
        j.WriteStartArray("results");
        foreach (var x in results)
        {
            j.WriteStartObject();
            j.WriteString("policy", x.Policy);
            j.WriteNumber("frames", x.Frames);
            j.WriteNumber("hits", x.Hits);
            j.WriteNumber("misses", x.Misses);
            j.WriteNumber("miss_ratio", x.MissRatio);
            j.WriteEndObject();
        }
        j.WriteEndArray();
    }

    public static void WriteCurve(Utf8JsonWriter j, MissRatioCurve curve, IReadOnlyList<int> sizes)
    {
        j.WriteStartObject("mrc");
        j.WriteString("method", curve.Method);
        j.WriteNumber("sampling_rate", curve.SamplingRate);
        j.WriteNumber("sampled_requests", curve.SampledRequests);
        if (curve.ErrorEstimate is double e) j.WriteNumber("error_estimate", e);
        j.WriteStartArray("points");
        foreach (int f in curve.SamplePoints(sizes))
        {
            j.WriteStartObject();
            j.WriteNumber("frames", f);
            j.WriteNumber("miss_ratio", curve.MissRatio(f));
            if (curve.Method != "exact") j.WriteBoolean("reliable", curve.IsReliable(f));
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteEndObject();
    }

    /// <summary>The textbook table of one policy at one size: per reference the page, each frame's content after
    /// it, the fault mark and the evicted page (the table <c>mmsim replay --explain</c> prints).</summary>
    public static void WriteExplain(Utf8JsonWriter j, string policy, int frames, IReplayPolicy p, IReadOnlyList<ExplainStep> steps)
    {
        j.WriteStartObject();
        j.WriteString("policy", policy);
        j.WriteNumber("frames", frames);
        j.WriteNumber("faults", p.Misses);
        j.WriteNumber("hits", p.Hits);
        j.WriteStartArray("steps");
        foreach (var s in steps)
        {
            j.WriteStartObject();
            j.WriteNumber("ref", s.Page);
            j.WriteStartArray("frames");
            foreach (var f in s.Frames) { if (f is long v) j.WriteNumberValue(v); else j.WriteNullValue(); }
            j.WriteEndArray();
            j.WriteBoolean("fault", s.Fault);
            if (s.Evicted is long e) j.WriteNumber("evicted", e); else j.WriteNull("evicted");
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteEndObject();
    }

    public static string Write(Action<Utf8JsonWriter> body)
    {
        using var ms = new MemoryStream();
        using (var j = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true })) body(j);
        return Encoding.UTF8.GetString(ms.ToArray());
    }
}
