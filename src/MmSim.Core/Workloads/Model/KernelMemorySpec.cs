namespace MmSim.Workloads;

/// <summary>
/// <c>machine.kernel_memory:</c> what the kernel itself holds out of MemTotal when the scenario starts — slab caches,
/// vmalloc areas, per-CPU areas, and the rest (driver pages, the initramfs, daemons). A real machine never starts
/// with MemFree = MemTotal: on Debian's 6.1 kernel booted in 256 MiB, about 31 MB are in use before the first user
/// process (measured by the twin: Slab 15368 kB, VmallocUsed 7628 kB, Percpu 260 kB, the rest 7740 kB). Each size is
/// rounded up to whole pages. Default: none, a machine whose whole MemTotal is free (the textbook picture).
/// </summary>
public sealed class KernelMemorySpec
{
    /// <summary>SReclaimable: slab caches the shrinkers could free (dentries, inodes). Not shrunk in the model.</summary>
    public long SlabReclaimableBytes { get; set; }
    /// <summary>SUnreclaim: slab caches that cannot be freed.</summary>
    public long SlabUnreclaimableBytes { get; set; }
    /// <summary>VmallocUsed: pages behind vmalloc areas.</summary>
    public long VmallocBytes { get; set; }
    /// <summary>Percpu: the per-CPU areas.</summary>
    public long PercpuBytes { get; set; }
    /// <summary>In use but in no meminfo field of its own (pages drivers took with alloc_pages, the initramfs...).</summary>
    public long OtherBytes { get; set; }

    public int Line { get; set; }

    public long TotalBytes => SlabReclaimableBytes + SlabUnreclaimableBytes + VmallocBytes + PercpuBytes + OtherBytes;
}
