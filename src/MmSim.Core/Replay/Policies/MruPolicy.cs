namespace MmSim.Replay.Policies;

/// <summary>MRU: evicts the most recently used page (the head of the recency list; good for loops larger than
/// memory).</summary>
public sealed class MruPolicy(int frames) : RecencyListPolicy(frames, evictMostRecent: true);
