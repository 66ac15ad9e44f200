using MmSim.Replay;
using MmSim.Replay.Traces;

namespace MmSim.Tests.Replay;

internal static class ReplayTestData
{
    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Replay", "data", file);

    private static readonly Lazy<ReplayTrace> CloudPhysics = new(() =>
        TraceLoader.Load(PathOf("cloudPhysicsIO.oracleGeneral.bin.gz"), new TraceOptions { Format = TraceFormat.OracleGeneral }));

    /// <summary>libCacheSim's cloudPhysicsIO sample trace (113,872 references).</summary>
    public static ReplayTrace CloudPhysicsIO => CloudPhysics.Value;

    public static (long Hits, long Misses) RunPolicy(string policy, int frames, ReplayTrace trace, PolicyOptions? opt = null)
    {
        var p = PolicyRegistry.Create(policy, frames, opt, trace);
        ReplayRunner.Replay(p, trace.Keys);
        return (p.Hits, p.Misses);
    }

    public static ReplayTrace Refs(params long[] keys) => ReplayTrace.FromKeys("refs", "refs", keys);
}
