using System.Text.Json.Serialization;

namespace MmSim.Twin;

/// <summary>
/// The VM's own speed, measured by the executor before the scenario starts (twin_exec.c, <c>calibrate</c>):
/// touching a fresh page (a minor fault with its zeroing, and the loop around it), one random read of a mapped page
/// (an access step's loop), one swap-sized write request (32 pages, O_DIRECT) and one 4 KiB read of the VM's
/// virtio disk. Under software emulation the CPU is 10 to 50 times slower than the simulator's default machine
/// while the disk (a file in the host's page cache) is not, and reclaim's outcome depends on that ratio.
/// </summary>
public sealed record TwinCalibration(
    [property: JsonPropertyName("fault_ns")] long FaultNs,
    [property: JsonPropertyName("access_ns")] long AccessNs,
    [property: JsonPropertyName("swap_write_ns")] long SwapWriteNs,
    [property: JsonPropertyName("disk_read_ns")] long DiskReadNs)
{
    /// <summary>Whether every figure was measured (an executor that could not open its disk leaves zeros).</summary>
    [JsonIgnore] public bool Complete => FaultNs > 0 && AccessNs > 0 && SwapWriteNs > 0 && DiskReadNs > 0;
}
