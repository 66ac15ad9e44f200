using MmSim.Mm;
using MmSim.Paging;
using MmSim.Sched;

namespace MmSim.Machine;

/// <summary>
/// A check for tests (<see cref="MachineOptions.CheckContents"/>): what each process last wrote to each page of its
/// anonymous private mappings, kept beside the machine, compared with what every later access finds in the frame.
/// Whatever happened to the page in between — swapped out and read back, copied on write after a fork, left in
/// the swap cache, reclaimed, re-faulted — the program must read what it wrote, and zeroes where it never wrote.
/// Each write stores the process's write sequence number in the frame (<see cref="Physical.Frame.Content"/>).
/// </summary>
public sealed class ContentShadow
{
    private readonly Kernel _k;
    private readonly Dictionary<MmStruct, Dictionary<long, int>> _written = new();

    public ContentShadow(Kernel kernel) => _k = kernel;

    /// <summary>Accesses checked (reads and writes of anonymous private pages).</summary>
    public long Checked { get; private set; }

    /// <summary>After a completed user access through <paramref name="pte"/>: a write records its value, a read
    /// (or fetch) must find the last one. Throws <see cref="InvalidOperationException"/> on a mismatch.</summary>
    public void Observe(SimTask task, ulong address, AccessKind kind, int token, ulong pte)
    {
        var vma = task.Mm.FindVma(address);
        if (vma is null || !vma.IsAnonymous || (vma.Flags & VmFlags.Shared) != 0) return;
        long vpn = (long)(address >> _k.PageShift);
        int found = _k.Frames[Pte.Pfn(pte)].Content;
        var map = Of(task.Mm);
        Checked++;
        if (kind == AccessKind.Write)
        {
            if (found != token)
                throw new InvalidOperationException($"pid {task.Pid} wrote {token} at 0x{address:x} but its frame {Pte.Pfn(pte)} holds {found}");
            map[vpn] = token;
            return;
        }
        int expected = map.GetValueOrDefault(vpn);
        if (found != expected)
            throw new InvalidOperationException(
                $"pid {task.Pid} read 0x{address:x}: its frame {Pte.Pfn(pte)} holds {found}, the process last wrote {expected} there");
    }

    /// <summary>fork: the child starts with the parent's memory.</summary>
    public void Fork(MmStruct parent, MmStruct child) => _written[child] = new Dictionary<long, int>(Of(parent));

    /// <summary>munmap of [<paramref name="start"/>, <paramref name="end"/>): a later mapping there starts zeroed.</summary>
    public void Unmap(MmStruct mm, ulong start, ulong end)
    {
        if (!_written.TryGetValue(mm, out var map)) return;
        long first = (long)(start >> _k.PageShift), last = (long)((end - 1) >> _k.PageShift);
        if (last - first + 1 < map.Count)
            for (long v = first; v <= last; v++) map.Remove(v);
        else
            foreach (long v in map.Keys.ToList()) if (v >= first && v <= last) map.Remove(v);
    }

    private Dictionary<long, int> Of(MmStruct mm)
    {
        if (!_written.TryGetValue(mm, out var map)) _written[mm] = map = new Dictionary<long, int>();
        return map;
    }
}
