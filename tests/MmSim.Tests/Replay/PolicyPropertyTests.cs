using CsCheck;
using MmSim.Replay;

namespace MmSim.Tests.Replay;

public class PolicyPropertyTests
{
    /// <summary>Random short traces at tiny memory sizes: every policy counts every reference, never holds more
    /// than its frames or a page twice, never beats OPT; LRU equals the one-pass curve.</summary>
    [Fact]
    public void SmallRandomTracesKeepTheInvariants()
    {
        Gen.Select(Gen.Long[0, 12].Array[1, 80], Gen.Int[1, 9]).Sample((keys, frames) =>
        {
            var t = ReplayTrace.FromKeys("random", "refs", keys);
            var opt = PolicyRegistry.Create("opt", frames, null, t);
            opt.Run(keys);
            var curve = MissRatioCurve.Exact(keys);
            var resident = new List<long>();
            foreach (var info in PolicyRegistry.All)
            {
                var p = PolicyRegistry.Create(info.Name, frames, null, t);
                for (int i = 0; i < keys.Length; i++)
                {
                    p.Run(keys.AsSpan(i, 1));
                    resident.Clear();
                    p.CopyResident(resident);
                    // (LIRS with one frame caches nothing: its LIR share is 0, as in libCacheSim.)
                    if (resident.Count > frames || resident.Distinct().Count() != resident.Count || !resident.Contains(keys[i]) && info.Name != "lirs")
                        throw new Exception($"{info.Name} frames {frames} after ref {i}: resident [{string.Join(",", resident)}] keys [{string.Join(",", keys)}]");
                }
                if (p.Hits + p.Misses != keys.Length || p.Misses < opt.Misses)
                    throw new Exception($"{info.Name} frames {frames}: {p.Hits}+{p.Misses}, opt {opt.Misses}, keys [{string.Join(",", keys)}]");
                if (info.Name == "lru" && p.Hits != curve.Hits(frames)) throw new Exception("lru != curve");
            }
        }, iter: 400);
    }
}
