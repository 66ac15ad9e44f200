namespace MmSim.Replay;

/// <summary>One column of the textbook table: the reference, the contents of each frame after it, whether it
/// faulted, and which page (if any) was evicted.</summary>
public sealed record ExplainStep(long Page, long?[] Frames, bool Fault, long? Evicted);

/// <summary>
/// Replays a short reference string one reference at a time and lays out the frames' contents the way
/// textbooks do: a page keeps its frame until evicted, and a faulting page takes the frame its victim left (or
/// the first empty one).
/// </summary>
public static class Explain
{
    public static IReadOnlyList<ExplainStep> Run(IReplayPolicy policy, ReadOnlySpan<long> refs)
    {
        var steps = new List<ExplainStep>();
        var slots = new long?[policy.Frames];
        var resident = new List<long>();
        for (int r = 0; r < refs.Length; r++)
        {
            long before = policy.Misses;
            policy.Run(refs.Slice(r, 1));
            bool fault = policy.Misses != before;
            resident.Clear();
            policy.CopyResident(resident);
            var set = new HashSet<long>(resident);
            long? evicted = null;
            int freed = -1;
            for (int s = 0; s < slots.Length; s++)
            {
                if (slots[s] is long p && !set.Contains(p))
                {
                    evicted ??= p;
                    slots[s] = null;
                    if (freed < 0) freed = s;
                }
            }
            var present = new HashSet<long>(slots.Where(x => x.HasValue).Select(x => x!.Value));
            foreach (long p in resident)
            {
                if (present.Contains(p)) continue;
                int s = freed >= 0 && slots[freed] == null ? freed : Array.IndexOf(slots, null);
                if (s < 0) break;
                slots[s] = p;
                present.Add(p);
                freed = -1;
            }
            steps.Add(new ExplainStep(refs[r], (long?[])slots.Clone(), fault, evicted));
        }
        return steps;
    }
}
