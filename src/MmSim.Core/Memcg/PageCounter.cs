namespace MmSim.Memcg;

/// <summary>
/// <c>struct page_counter</c> (mm/page_counter.c): a hierarchical usage counter with a limit and the
/// memory.min/memory.low bookkeeping. In pages. <see cref="Max"/> = <see cref="Unlimited"/> prints as "max".
/// </summary>
public sealed class PageCounter
{
    /// <summary>PAGE_COUNTER_MAX.</summary>
    public const long Unlimited = long.MaxValue;

    public readonly PageCounter? Parent;
    public long Usage;
    public long Max = Unlimited;
    public long Min, Low;
    public long Emin, Elow;
    public long MinUsage, LowUsage, ChildrenMinUsage, ChildrenLowUsage;
    /// <summary>memory.peak.</summary>
    public long Watermark;
    public long Failcnt;

    public PageCounter(PageCounter? parent) => Parent = parent;

    /// <summary>
    /// page_counter_try_charge: adds <paramref name="nr"/> at every level up to the root; the first level whose
    /// new usage would be <em>above</em> its max (usage may reach max exactly) fails: its failcnt grows, the levels
    /// charged below it are undone, and it is returned in <paramref name="fail"/>.
    /// </summary>
    public bool TryCharge(long nr, out PageCounter? fail)
    {
        for (var c = this; c is not null; c = c.Parent)
        {
            long next = c.Usage + nr;
            if (next > c.Max)
            {
                c.Failcnt++;
                for (var u = this; u != c; u = u.Parent!) { u.Usage -= nr; u.PropagateProtectedUsage(u.Usage); }
                fail = c;
                return false;
            }
            c.Usage = next;
            c.PropagateProtectedUsage(next);
            if (next > c.Watermark) c.Watermark = next;
        }
        fail = null;
        return true;
    }

    /// <summary>page_counter_charge: adds <paramref name="nr"/> at every level, over max or not (charges that may
    /// not fail, such as a kernel object's with __GFP_NOFAIL semantics or one made before any limit applies).</summary>
    public void Charge(long nr)
    {
        for (var c = this; c is not null; c = c.Parent)
        {
            c.Usage += nr;
            c.PropagateProtectedUsage(c.Usage);
            if (c.Usage > c.Watermark) c.Watermark = c.Usage;
        }
    }

    /// <summary>page_counter_uncharge.</summary>
    public void Uncharge(long nr)
    {
        for (var c = this; c is not null; c = c.Parent)
        {
            c.Usage -= nr;
            c.PropagateProtectedUsage(c.Usage);
        }
    }

    /// <summary>
    /// propagate_protected_usage: min_usage = min(usage, min) (low likewise) and the change added to the parent's
    /// children_min_usage; done only while min (low) is set or was.
    /// </summary>
    public void PropagateProtectedUsage(long usage)
    {
        var p = Parent;
        if (p is null) return;
        if (Min != 0 || MinUsage != 0)
        {
            long prot = Math.Min(usage, Min);
            long delta = prot - MinUsage;
            MinUsage = prot;
            p.ChildrenMinUsage += delta;
        }
        if (Low != 0 || LowUsage != 0)
        {
            long prot = Math.Min(usage, Low);
            long delta = prot - LowUsage;
            LowUsage = prot;
            p.ChildrenLowUsage += delta;
        }
    }

    /// <summary>
    /// effective_protection (mm/page_counter.c, 6.12): a child's protection is its setting capped by its usage;
    /// when the siblings together claim more than the parent's effective protection, the parent's is shared in
    /// proportion to what each claims; with memory_recursiveprot, protection the siblings leave unclaimed is
    /// shared by their unprotected usage. Unsigned integer arithmetic, truncating.
    /// </summary>
    public static long EffectiveProtection(long usage, long parentUsage, long setting, long parentEffective,
        long siblingsProtected, bool recursive)
    {
        ulong u = (ulong)usage, pu = (ulong)parentUsage, pe = (ulong)parentEffective, sp = (ulong)siblingsProtected;
        ulong prot = Math.Min(u, (ulong)setting);
        if (sp > pe) return (long)(UInt128Mul(prot, pe) / sp);
        ulong ep = prot;
        if (!recursive) return (long)ep;
        if (pe > sp && pu > sp && u > prot)
            ep += (ulong)(UInt128Mul(pe - sp, u - prot) / (pu - sp));
        return (long)ep;
    }

    private static UInt128 UInt128Mul(ulong a, ulong b) => (UInt128)a * b;

    /// <summary>
    /// page_counter_calculate_protection(root, counter): nothing for the reclaim root itself or an empty counter
    /// (the old values stay); a child of the root takes its own min/low as they are; deeper levels get
    /// <see cref="EffectiveProtection"/> from the parent's effective values.
    /// </summary>
    public static void CalculateProtection(PageCounter? root, PageCounter c, bool recursive)
    {
        if (ReferenceEquals(root, c)) return;
        long usage = c.Usage;
        if (usage == 0) return;
        var parent = c.Parent;
        if (ReferenceEquals(parent, root))
        {
            c.Emin = c.Min;
            c.Elow = c.Low;
            return;
        }
        long parentUsage = parent!.Usage;
        c.Emin = EffectiveProtection(usage, parentUsage, c.Min, parent.Emin, parent.ChildrenMinUsage, recursive);
        c.Elow = EffectiveProtection(usage, parentUsage, c.Low, parent.Elow, parent.ChildrenLowUsage, recursive);
    }
}
