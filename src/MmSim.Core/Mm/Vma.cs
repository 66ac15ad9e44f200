using MmSim.PageCache;

namespace MmSim.Mm;

/// <summary>VM_* flags of a mapping (include/linux/mm.h), the ones the model uses.</summary>
[Flags]
public enum VmFlags
{
    None = 0,
    Read = 0x1,       // VM_READ
    Write = 0x2,      // VM_WRITE
    Exec = 0x4,       // VM_EXEC
    Shared = 0x8,     // VM_SHARED
    Growsdown = 0x100,// VM_GROWSDOWN (the stack)
    Locked = 0x2000,  // VM_LOCKED (mlock)
    Account = 0x100000, // VM_ACCOUNT: charged to Committed_AS
}

/// <summary>
/// A virtual memory area (<c>struct vm_area_struct</c>): [Start, End) with flags, and for a file mapping the file
/// and the page offset where the mapping starts. <see cref="Name"/> is the scenario's region name.
/// </summary>
public sealed class Vma
{
    public ulong Start;
    public ulong End;
    public VmFlags Flags;
    public string Name = "";
    public SimFile? File;
    /// <summary>vm_pgoff: the file page mapped at <see cref="Start"/>.</summary>
    public long PgOff;
    /// <summary>The read-ahead state of the file opened for this mapping (its struct file's f_ra).</summary>
    public RaState? Ra;
    /// <summary>Internal fragmentation: bytes of the last page that the mapping was not asked for (mmap rounds the
    /// length up to whole pages; the rest of the page is mapped but unused).</summary>
    public ulong TailWaste;

    public bool IsAnonymous => File is null;
    public ulong Length => End - Start;
    public bool Contains(ulong address) => address >= Start && address < End;
    public long PageCount(int pageShift) => (long)(Length >> pageShift);
}
