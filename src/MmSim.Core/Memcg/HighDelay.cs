namespace MmSim.Memcg;

/// <summary>
/// memory.high throttling arithmetic (mm/memcontrol.c): calculate_overage and calculate_high_delay, unsigned
/// 64-bit with truncating shifts and division, as the kernel computes them.
/// </summary>
public static class HighDelay
{
    /// <summary>MEMCG_DELAY_PRECISION_SHIFT.</summary>
    public const int PrecisionShift = 20;
    /// <summary>MEMCG_DELAY_SCALING_SHIFT.</summary>
    public const int ScalingShift = 14;
    /// <summary>MEMCG_CHARGE_BATCH (include/linux/memcontrol.h).</summary>
    public const int ChargeBatch = 64;

    /// <summary>MEMCG_MAX_HIGH_DELAY_JIFFIES = 2 × HZ.</summary>
    public static long MaxDelayJiffies(int hz) => 2L * hz;

    /// <summary>calculate_overage: 0 at or under high, else ((usage − max(high,1)) &lt;&lt; 20) / max(high,1).</summary>
    public static ulong Overage(ulong usage, ulong high)
    {
        if (usage <= high) return 0;
        high = Math.Max(high, 1UL);
        ulong overage = usage - high;
        overage <<= PrecisionShift;
        return overage / high;
    }

    /// <summary>calculate_high_delay: ov² × HZ &gt;&gt; 20 &gt;&gt; 14, scaled by nr_pages / MEMCG_CHARGE_BATCH. Jiffies.</summary>
    public static ulong Delay(ulong maxOverage, ulong nrPages, int hz)
    {
        if (maxOverage == 0) return 0;
        ulong penalty = maxOverage * maxOverage * (ulong)hz;
        penalty >>= PrecisionShift;
        penalty >>= ScalingShift;
        return penalty * nrPages / ChargeBatch;
    }
}
