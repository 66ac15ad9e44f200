namespace MmSim.Replay.Policies;

/// <summary>LRU: evicts the least recently used page (the tail of the recency list).</summary>
public sealed class LruPolicy(int frames) : RecencyListPolicy(frames, evictMostRecent: false);
