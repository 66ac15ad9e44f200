using System.Runtime.CompilerServices;

namespace MmSim.Replay.Policies;

/// <summary>
/// Linux's classic two-list reclaim (mm/vmscan.c before MGLRU), on mapped pages with referenced bits:
/// <list type="bullet">
/// <item>a reference sets the page's accessed ("young") bit, as the MMU does; nothing moves;</item>
/// <item>a faulted-in page joins the head of the inactive list with its bits clear;</item>
/// <item>reclaim first refills the inactive list while it is below its target share (shrink_active_list): pages
/// come off the active tail, a young one has the bit cleared and goes back to the active head once, the others
/// move to the inactive head;</item>
/// <item>then it scans the inactive tail (shrink_page_list / page_check_references): a young page that already
/// has PG_referenced is activated, a young page without it gets PG_referenced and is rotated (kept), a page
/// that is not young is evicted.</item>
/// </list>
/// So a page needs two referenced scans on the inactive list to be promoted: the use-once protection.
/// </summary>
public sealed class LinuxPolicy : IReplayPolicy
{
    private const byte Young = 1, PgReferenced = 2, Active = 4;
    private readonly Node[] _n;
    private readonly byte[] _flags;
    private readonly KeyTable _table;
    private readonly double _inactiveShare;
    private DList _active = DList.Empty, _inactive = DList.Empty;
    private int _used;

    public LinuxPolicy(int frames, double inactiveShare)
    {
        Frames = frames;
        _inactiveShare = inactiveShare;
        _n = new Node[frames];
        _flags = new byte[frames];
        _table = new KeyTable(frames);
    }

    public int Frames { get; }
    public long Hits { get; private set; }
    public long Misses { get; private set; }
    public long StateBytes => _n.Length * 17L + _table.Bytes;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(ReadOnlySpan<long> keys)
    {
        long misses = 0;
        var n = _n;
        foreach (long key in keys)
        {
            int i = _table.Find(key);
            if (i >= 0)
            {
                _flags[i] |= Young;
                continue;
            }
            misses++;
            if (_used < Frames) i = _used++;
            else
            {
                i = Reclaim();
                _table.Remove(n[i].Key);
            }
            n[i].Key = key;
            _flags[i] = 0;
            _inactive.PushHead(n, i);
            _table.Insert(key, i);
        }
        Misses += misses;
        Hits += keys.Length - misses;
    }

    /// <summary>Frees one frame and returns it.</summary>
    private int Reclaim()
    {
        var n = _n;
        while (true)
        {
            ShrinkActive();
            int scan = _inactive.Count;
            while (scan-- > 0)
            {
                int t = _inactive.PopTail(n);
                byte f = _flags[t];
                if ((f & Young) == 0) return t;
                f &= unchecked((byte)~Young);
                if ((f & PgReferenced) != 0)
                {
                    _flags[t] = (byte)((f & ~PgReferenced) | Active);
                    _active.PushHead(n, t);
                }
                else
                {
                    _flags[t] = (byte)(f | PgReferenced);
                    _inactive.PushHead(n, t);
                }
            }
        }
    }

    private void ShrinkActive()
    {
        var n = _n;
        int target = Math.Max(1, (int)Math.Ceiling((_active.Count + _inactive.Count) * _inactiveShare));
        int budget = _active.Count; // each active page is looked at most once per refill
        while (_inactive.Count < target && _active.Count > 0 && budget-- > 0)
        {
            int t = _active.PopTail(n);
            if ((_flags[t] & Young) != 0)
            {
                _flags[t] &= unchecked((byte)~Young);
                _active.PushHead(n, t);
                continue;
            }
            _flags[t] &= unchecked((byte)~(Active | PgReferenced));
            _inactive.PushHead(n, t);
        }
        if (_inactive.Count == 0)
        {
            // everything was young: the bits are now clear, demote the coldest page anyway
            int t = _active.PopTail(n);
            _flags[t] &= unchecked((byte)~(Active | PgReferenced));
            _inactive.PushHead(n, t);
        }
    }

    public void CopyResident(List<long> into)
    {
        _active.AppendKeys(_n, into);
        _inactive.AppendKeys(_n, into);
    }
}
