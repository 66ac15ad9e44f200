using MmSim.Workloads;

namespace MmSim.Memcg;

/// <summary>
/// What the kubelet does with a pod's memory (cgroupfs driver, cgroup v2): the QoS class
/// (pkg/apis/core/v1/helper/qos GetPodQOS), the cgroups kubepods/[burstable|besteffort/]pod&lt;name&gt;/&lt;container&gt;
/// (Guaranteed pods sit directly under kubepods), memory.max from the container limits (the pod's is their sum when
/// every container has one), and each container's oom_score_adj (pkg/kubelet/qos/policy.go GetContainerOOMScoreAdjust).
/// </summary>
public static class Kubelet
{
    public const int GuaranteedOomScoreAdj = -997;
    public const int BestEffortOomScoreAdj = 1000;

    /// <summary>GetPodQOS: Guaranteed when every container has cpu and memory limits equal to its requests;
    /// BestEffort when none has any request or limit; Burstable otherwise.</summary>
    public static QosClass QosOf(PodSpec pod)
    {
        bool any = false, guaranteed = true;
        foreach (var c in pod.Containers)
        {
            if (c.MemoryRequest is not null || c.MemoryLimit is not null || c.CpuRequest is not null || c.CpuLimit is not null) any = true;
            if (c.MemoryLimit is null || c.CpuLimit is null || c.MemoryRequest != c.MemoryLimit || c.CpuRequest != c.CpuLimit)
                guaranteed = false;
        }
        if (!any) return QosClass.BestEffort;
        return guaranteed ? QosClass.Guaranteed : QosClass.Burstable;
    }

    /// <summary>
    /// GetContainerOOMScoreAdjust: Guaranteed −997, BestEffort 1000, Burstable
    /// <c>1000 − (1000 × memoryRequest) / memoryCapacity</c> (int64, truncating), clamped: below 3 → 3
    /// (1000 + guaranteedOOMScoreAdj), exactly 1000 → 999.
    /// </summary>
    public static int OomScoreAdj(QosClass qos, long memoryRequestBytes, long memoryCapacityBytes)
    {
        switch (qos)
        {
            case QosClass.Guaranteed: return GuaranteedOomScoreAdj;
            case QosClass.BestEffort: return BestEffortOomScoreAdj;
        }
        long adj = 1000 - (1000 * memoryRequestBytes) / memoryCapacityBytes;
        if (adj < 1000 + GuaranteedOomScoreAdj) return 1000 + GuaranteedOomScoreAdj;
        if (adj == 1000) return 999;
        return (int)adj;
    }

    public static string QosName(QosClass q) => q switch
    {
        QosClass.Guaranteed => "Guaranteed",
        QosClass.Burstable => "Burstable",
        _ => "BestEffort",
    };

    /// <summary>The pod cgroup's path: kubepods/pod&lt;name&gt; (Guaranteed), kubepods/burstable/pod&lt;name&gt;,
    /// kubepods/besteffort/pod&lt;name&gt;. The pod's name stands for its uid.</summary>
    public static string PodCgroup(PodSpec pod) => pod.Qos switch
    {
        QosClass.Guaranteed => $"kubepods/pod{pod.Name}",
        QosClass.Burstable => $"kubepods/burstable/pod{pod.Name}",
        _ => $"kubepods/besteffort/pod{pod.Name}",
    };

    /// <summary>Adds the cgroups the kubelet creates for the scenario's pods and places each container's process.</summary>
    public static void AddPodCgroups(Scenario scenario)
    {
        if (scenario.Pods.Count == 0) return;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var list = scenario.Cgroups;
        void Add(string path, long? max)
        {
            if (list.Any(c => c.Path == path)) return;
            list.Add(new CgroupSpec { Path = path, Max = max, FromPod = true });
        }
        // kubepods: memory.max = capacity (no kube/system reserved) is set when the machine boots; the QoS-level
        // cgroups have no limit (qos-reserved is alpha and off).
        Add("kubepods", null);
        foreach (var pod in scenario.Pods)
        {
            if (!seen.TryAdd(pod.Name, pod.Line))
                throw new InputException(scenario.SourceName, pod.Line, $"pod '{pod.Name}' is declared twice (first at line {seen[pod.Name]})");
            pod.Qos = QosOf(pod);
            if (pod.Qos == QosClass.Burstable) Add("kubepods/burstable", null);
            if (pod.Qos == QosClass.BestEffort) Add("kubepods/besteffort", null);
            string podPath = PodCgroup(pod);
            bool allLimited = pod.Containers.All(c => c.MemoryLimit is not null);
            Add(podPath, allLimited ? pod.Containers.Sum(c => c.MemoryLimit!.Value) : null);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var c in pod.Containers)
            {
                if (!names.Add(c.Name))
                    throw new InputException(scenario.SourceName, c.Line, $"pod '{pod.Name}' has two containers named '{c.Name}'");
                c.CgroupPath = $"{podPath}/{c.Name}";
                Add(c.CgroupPath, c.MemoryLimit);
                c.Process.Cgroup = c.CgroupPath;
            }
        }
    }
}
