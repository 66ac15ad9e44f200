// TEMPORARY: stand-ins for the Physical and Workloads layers being written on other branches. Deleted at merge.
namespace MmSim.Physical
{
    public enum ZoneType { Dma = 0, Dma32 = 1, Normal = 2, Movable = 3 }
    [Flags] public enum AllocFlags { WmarkMin = 0, WmarkLow = 1, WmarkHigh = 2, NoWatermarks = 4, MinReserve = 8, NonBlock = 16, Oom = 32 }
    public sealed class PhysicalMemoryConfig
    {
        public long MemoryBytes; public int PageSize = 4096; public long? KernelReservedBytes; public long? MinFreeKbytes;
        public int WatermarkScaleFactor = 10; public int[] LowmemReserveRatio = { 256, 256, 32, 0 }; public string TransparentHugepage = "madvise";
    }
    public sealed class Zone
    {
        public ZoneType Type; public string Name = "DMA32"; public long StartPfn, SpannedPages, PresentPages, ManagedPages, FreePages;
        public long WatermarkMin, WatermarkLow, WatermarkHigh, WatermarkPromo; public long[] LowmemReserve = new long[4]; public long[] FreeBlocks = new long[11]; public long AllocCount;
    }
    public sealed class ReservedMemory { public long HolesKb, MemmapKb, KernelKb; }
    public sealed class PhysicalMemory
    {
        public Frame[] Frames; public IReadOnlyList<Zone> Zones; public int PageSize, PageShift; public long TotalFrames, TotalRamPages, FreePages, MinFreeKbytes, TotalReservePages;
        public ReservedMemory Reserved = new();
        private readonly Stack<int> _free = new();
        public PhysicalMemory(PhysicalMemoryConfig c)
        {
            PageSize = c.PageSize; PageShift = System.Numerics.BitOperations.Log2((uint)PageSize); TotalFrames = c.MemoryBytes / PageSize;
            Frames = new Frame[TotalFrames]; var z = new Zone { ManagedPages = TotalFrames, PresentPages = TotalFrames, SpannedPages = TotalFrames };
            Zones = new[] { z }; for (int i = (int)TotalFrames - 1; i >= 0; i--) { _free.Push(i); Frames[i].Flags = (uint)FrameFlags.Buddy; }
            TotalRamPages = TotalFrames; FreePages = TotalFrames; z.FreePages = TotalFrames;
        }
        public int AllocPage(ZoneType highestZone, AllocFlags flags)
        {
            if (_free.Count == 0) return -1; int p = _free.Pop(); Frames[p] = new Frame { Flags = (uint)FrameFlags.Allocated, Owner = -1, Prev = -1, Next = -1 };
            FreePages--; Zones[0].FreePages--; Zones[0].AllocCount++; return p;
        }
        public void FreePage(int pfn) { Frames[pfn] = new Frame { Flags = (uint)FrameFlags.Buddy, Owner = -1, Prev = -1, Next = -1 }; _free.Push(pfn); FreePages++; Zones[0].FreePages++; }
        public Zone ZoneOf(int pfn) => Zones[0];
        public string FormatBuddyInfo() => "Node 0, zone    DMA32 ";
        public void CheckInvariants() { }
    }
}
namespace MmSim.Workloads
{
    [Flags] public enum Prot { None = 0, Read = 1, Write = 2, Exec = 4 }
    public enum AccessPattern { Sequential, Random, Zipf }
    public sealed class Scenario { public string SourceName = ""; public string? Name, Title, Description, DescriptionZh; public ulong Seed = 42; public MachineSpec Machine = new(); public VmSpec Vm = new(); public List<FileSpec> Files = new(); public List<ProcessSpec> Processes = new(); }
    public sealed class LatencySpec { public long AccessNs = 100, TlbMissPerLevelNs = 100, MinorFaultNs = 1000, MajorFaultNs = 100_000, DiskWriteNs = 100_000, SwapReadNs = 100_000, SwapWriteNs = 100_000; }
    public sealed class MachineSpec { public long MemoryBytes = 1L << 30; public int PageSize = 4096; public long SwapBytes; public long? KernelReservedBytes; public int Cpus = 1; public string TransparentHugepage = "madvise"; public long TimeSliceNs = 4_000_000; public int TlbEntries = 64; public LatencySpec Latency = new(); }
    public sealed class VmSpec { public long? MinFreeKbytes; public int WatermarkScaleFactor = 10; public int[] LowmemReserveRatio = { 256, 256, 32, 0 }; public int Swappiness = 60, OvercommitMemory, OvercommitRatio = 50; public long OvercommitKbytes; public int DirtyRatio = 20, DirtyBackgroundRatio = 10, PanicOnOom, OomKillAllocatingTask, PageCluster = 3, FaultAroundBytes = 65536, ReadAheadKb = 128; }
    public sealed class FileSpec { public string Path = ""; public long SizeBytes; public int Line; }
    public sealed class ProcessSpec { public string Name = ""; public int Pid; public int OomScoreAdj; public long StartAtNs; public long StackBytes; public List<Step> Steps = new(); public int Line; }
    public abstract class Step { public int Line; }
    public sealed class AllocStep : Step { public string Name = ""; public long SizeBytes; public Prot Prot = Prot.Read | Prot.Write; }
    public sealed class TouchStep : Step { public string Region = ""; public bool Write; public long StrideBytes; public long OffsetBytes; public long? LengthBytes; }
    public sealed class AccessStep : Step { public string? Region; public ulong? Address; public AccessPattern Pattern; public long Count = 1; public double WriteRatio; public bool Write; public double ZipfAlpha = 1.0; public bool Exec; }
    public sealed class MapFileStep : Step { public string Name = "", Path = ""; public Prot Prot = Prot.Read; public bool Shared; public long OffsetBytes; public long? LengthBytes; }
    public sealed class ReadFileStep : Step { public string Path = ""; public long OffsetBytes, SizeBytes; }
    public sealed class WriteFileStep : Step { public string Path = ""; public long OffsetBytes, SizeBytes; }
    public sealed class FreeStep : Step { public string Region = ""; }
    public sealed class SleepStep : Step { public long DurationNs; }
    public sealed class RepeatStep : Step { public int Times; public List<Step> Steps = new(); }
    public sealed class MlockStep : Step { public string Region = ""; }
    public sealed class ForkStep : Step { public string? Name; }
    public sealed class ExitStep : Step { }
    public struct Pcg32 { ulong _s, _inc; public Pcg32(ulong seed, ulong stream) { _s = 0; _inc = (stream << 1) | 1; NextUInt(); _s += seed; NextUInt(); }
        public uint NextUInt() { ulong old = _s; _s = old * 6364136223846793005UL + _inc; uint x = (uint)(((old >> 18) ^ old) >> 27); int r = (int)(old >> 59); return (x >> r) | (x << ((-r) & 31)); }
        public uint NextBounded(uint n) => (uint)(((ulong)NextUInt() * n) >> 32); public double NextDouble() => NextUInt() / 4294967296.0; }
}
namespace MmSim.Workloads
{
    public struct ZipfSampler { long _n; public ZipfSampler(long n, double alpha) { _n = n; } public long Sample(ref Pcg32 rng) => 1 + rng.NextBounded((uint)_n); }
}
namespace MmSim.Workloads
{
    public static class Units { public static string FormatSize(long b) => $"{b} B"; public static string FormatTime(long ns) => $"{ns} ns"; public static long ParseTime(string s, string src, int line) => 1000000; }
}
namespace MmSim.Workloads
{
    public static class ScenarioLoader { public static Scenario LoadFile(string path) => new Scenario { SourceName = path }; }
    public static class BuiltinScenarios { public static IReadOnlyList<string> Names => new[] { "lazy-allocation" }; public static Scenario Load(string name) => new Scenario { SourceName = "builtin:" + name, Name = name };
        public static IReadOnlyList<(string Name, string Title)> List() => new[] { ("lazy-allocation", "Lazy allocation") }; }
}
namespace MmSim.Workloads { public static partial class UnitsX { } }
