namespace MmSim.PageCache;

/// <summary>
/// The disk holding the scenario's files, as a single queue: requests are served one after another in the order
/// they were submitted, each taking the configured latency (a simple virtio-blk device with one request in
/// flight). So read-ahead submitted behind another read waits for it, as the real twin shows.
/// </summary>
public sealed class BlockDevice
{
    private long _busyUntil;

    public long Requests { get; private set; }

    /// <summary>Submits a request at <paramref name="now"/>; returns when it completes.</summary>
    public long Submit(long now, long latencyNs)
    {
        long start = Math.Max(now, _busyUntil);
        _busyUntil = start + latencyNs;
        Requests++;
        return _busyUntil;
    }
}
