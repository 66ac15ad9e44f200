namespace MmSim.Workloads;

/// <summary>Protection of a mapping, as mmap's PROT_* bits. On x86 a writable or executable page is also readable.</summary>
[Flags]
public enum Prot
{
    None = 0,
    Read = 1,
    Write = 2,
    Exec = 4,
    ReadWrite = Read | Write,
}
