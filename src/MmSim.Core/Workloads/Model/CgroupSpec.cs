namespace MmSim.Workloads;

/// <summary>
/// One entry of <c>cgroups:</c>: a cgroup v2 directory under the root with the memory controller's files
/// (Documentation/admin-guide/cgroup-v2.rst, "Memory Interface Files"). Sizes in bytes; null = "max".
/// </summary>
public sealed class CgroupSpec
{
    /// <summary>Path below the root, without a leading '/': "web", "batch/job1".</summary>
    public string Path { get; set; } = "";
    /// <summary>memory.max (null = max).</summary>
    public long? Max { get; set; }
    /// <summary>memory.high (null = max).</summary>
    public long? High { get; set; }
    /// <summary>memory.low (default 0).</summary>
    public long Low { get; set; }
    /// <summary>memory.min (default 0).</summary>
    public long Min { get; set; }
    /// <summary>memory.swap.max (null = max).</summary>
    public long? SwapMax { get; set; }
    /// <summary>memory.oom.group.</summary>
    public bool OomGroup { get; set; }
    /// <summary>Processes placed here by the cgroup's own <c>processes:</c> list (cgroup.procs).</summary>
    public List<string> Procs { get; set; } = [];
    /// <summary>Made by the kubelet for a pod (not written in <c>cgroups:</c>).</summary>
    public bool FromPod { get; set; }
    public int Line { get; set; }
}

/// <summary>A pod's QoS class (pkg/apis/core/v1/helper/qos).</summary>
public enum QosClass { Guaranteed, Burstable, BestEffort }

/// <summary>One entry of <c>pods:</c>: a Kubernetes pod whose containers are processes.</summary>
public sealed class PodSpec
{
    public string Name { get; set; } = "";
    public List<ContainerSpec> Containers { get; set; } = [];
    public QosClass Qos { get; set; }
    public int Line { get; set; }
}

/// <summary>A container: its resources and the process that runs its steps.</summary>
public sealed class ContainerSpec
{
    public string Name { get; set; } = "";
    public long? MemoryRequest { get; set; }
    public long? MemoryLimit { get; set; }
    /// <summary>CPU in millicores.</summary>
    public long? CpuRequest { get; set; }
    public long? CpuLimit { get; set; }
    public ProcessSpec Process { get; set; } = new();
    /// <summary>The container's cgroup path (set when the pod is mapped).</summary>
    public string CgroupPath { get; set; } = "";
    public int Line { get; set; }
}
