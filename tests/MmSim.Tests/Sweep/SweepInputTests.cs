using MmSim.Sweep;
using YamlDotNet.RepresentationModel;
using static MmSim.Tests.Sweep.SweepKit;

namespace MmSim.Tests.Sweep;

public class SweepInputTests
{
    private static (int Code, string Err) RunBad(string sweepText, params string[] extra)
    {
        string dir = TempDir("bad");
        string sweep = WriteTraceSweep(dir, sweepText);
        var (code, _, err) = Mmsim(["sweep", "run", sweep, "--out", Path.Combine(dir, "out"), .. extra]);
        Directory.Delete(dir, true);
        return (code, err);
    }

    [Fact]
    public void UnknownPolicyNamesFileLineAndTheKnownOnes()
    {
        var (code, err) = RunBad(TraceSweep.Replace("s3fifo,", "s3fifoo,"));
        Assert.Equal(2, code);
        Assert.Matches(@"^mmsim: .*sweep\.yaml:6:\d+: unknown policy 's3fifoo'; expected one of: fifo, lru, ", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void UnknownPolicyParameterIsNamed()
    {
        var (code, err) = RunBad(TraceSweep.Replace("bits: 2", "bit: 2"));
        Assert.Equal(2, code);
        Assert.Contains("unknown parameter 'bit' of clock; expected one of: bits", err);
        (code, err) = RunBad(TraceSweep.Replace("bits: 2", "bits: 9"));
        Assert.Equal(2, code);
        Assert.Contains("sweep.yaml:6:", err);
        Assert.Contains("--clock-bits: expected 1..8, got 9", err);
    }

    [Fact]
    public void GlobMatchingNothingIsNamed()
    {
        var (code, err) = RunBad(TraceSweep.Replace("traces/*.trace", "traces/*.lackey.gz"));
        Assert.Equal(2, code);
        Assert.Matches(@"sweep\.yaml:5: trace glob 'traces/\*\.lackey\.gz' matches no file", err);
    }

    [Fact]
    public void YamlTyposAndBadFramesNameTheLine()
    {
        var (code, err) = RunBad(TraceSweep.Replace("frames:", "frame:"));
        Assert.Equal(2, code);
        Assert.Contains("sweep.yaml:7:1: unknown key 'frame'; expected one of: name, traces, policies, frames, scenario, grid", err);
        (code, err) = RunBad(TraceSweep.Replace("10%", "10 %%"));
        Assert.Equal(2, code);
        Assert.Contains("sweep.yaml:7:", err);
        Assert.Contains("expected a percentage in (0, 100]", err);
        (code, err) = RunBad("name: x\nscenario: swap-before-oom\ngrid: { vm.swapiness: [1, 2] }\n");
        Assert.Equal(2, code);
        Assert.Contains("sweep.yaml:3: grid vm.swapiness=1:", err);
    }

    [Theory]
    [InlineData("3/3", "shard index 3 is out of range: expected 0..2 for 3 shards")]
    [InlineData("-1/3", "shard index -1 is out of range")]
    [InlineData("1/0", "the number of shards must be at least 1, got 0")]
    [InlineData("one", "expected I/N (0-based shard I of N, e.g. 0/4) or auto, got 'one'")]
    public void ShardOutOfRangeIsExit2(string shard, string message)
    {
        var (code, err) = RunBad(TraceSweep, "--shard", shard);
        Assert.Equal(2, code);
        Assert.Contains(message, err);
    }

    [Fact]
    public void ResultsFolderOfAnotherSweepFileIsRefusedAndLeftAlone()
    {
        string dir = TempDir("other");
        string sweep = WriteTraceSweep(dir);
        string outDir = Path.Combine(dir, "out");
        Assert.Equal(0, Mmsim("sweep", "run", sweep, "--out", outDir, "--shard", "0/7").Code);
        var before = Directory.GetFiles(outDir, "*", SearchOption.AllDirectories).Order().Select(File.ReadAllBytes).ToList();
        string other = WriteFile(dir, "other.yaml", TraceSweep.Replace("500]", "600]"));
        var (code, _, err) = Mmsim("sweep", "run", other, "--out", outDir, "--shard", "1/7");
        Assert.Equal(2, code);
        Assert.Contains("was written by a different sweep file", err);
        Assert.Contains("other.yaml", err);
        var after = Directory.GetFiles(outDir, "*", SearchOption.AllDirectories).Order().Select(File.ReadAllBytes).ToList();
        Assert.Equal(before, after);
        // Editing the sweep file in place is the same mistake.
        File.WriteAllText(sweep, TraceSweep.Replace("lirs]", "lirs, sieve]"));
        (code, _, err) = Mmsim("sweep", "merge", outDir);
        Assert.Equal(2, code);
        Assert.Contains("was written by a different sweep file", err);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void SbatchScriptIsAJobArrayCallingMmsimByAbsolutePath()
    {
        string dir = TempDir("sbatch");
        string sweep = WriteTraceSweep(dir);
        string outDir = Path.Combine(dir, "out");
        var (code, output, err) = Mmsim("sweep", "slurm", sweep, "--out", outDir, "--shards", "5", "--cpus-per-task", "2");
        Assert.True(code == 0, err);
        Assert.Contains("84 cells in 5 array tasks", output);
        var lines = File.ReadAllLines(Path.Combine(outDir, "sweep.sbatch"));
        Assert.Equal("#!/bin/bash", lines[0]);
        Assert.Contains("#SBATCH --array=0-4", lines);
        Assert.Contains($"#SBATCH --output={outDir}/logs/shard-%a.out", lines);
        Assert.Contains("#SBATCH --cpus-per-task=2", lines);
        string exec = lines.Single(l => l.StartsWith("exec "));
        Assert.Matches(@"^exec /\S+ ", exec); // an absolute path, never a bare "mmsim"
        Assert.EndsWith($"sweep run {sweep} --out {outDir} --shard auto --shards 5 --jobs \"${{SLURM_CPUS_PER_TASK:-1}}\"", exec);
        Assert.True(Directory.Exists(Path.Combine(outDir, "logs")));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void K8sManifestIsAnIndexedJobWithTheVolume()
    {
        string dir = TempDir("k8s");
        string sweep = WriteTraceSweep(dir);
        string outDir = Path.Combine(dir, "results", "run1");
        var (code, output, err) = Mmsim("sweep", "k8s", sweep, "--out", outDir, "--shards", "6", "--image", "ghcr.io/x/mmsim:1.0",
            "--cpus", "2", "--claim", "sweeps");
        Assert.True(code == 0, err);
        Assert.Contains("84 cells in 6 indexed completions", output);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(outDir, "sweep-job.yaml"))));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        string S(YamlNode n, params string[] path)
        {
            foreach (var p in path) n = p.All(char.IsDigit) ? ((YamlSequenceNode)n)[int.Parse(p)] : ((YamlMappingNode)n)[p];
            return ((YamlScalarNode)n).Value!;
        }
        Assert.Equal("batch/v1", S(root, "apiVersion"));
        Assert.Equal("Job", S(root, "kind"));
        Assert.Equal("mmsim-sweep-test-mrc", S(root, "metadata", "name"));
        Assert.Equal("Indexed", S(root, "spec", "completionMode"));
        Assert.Equal("6", S(root, "spec", "completions"));
        Assert.Equal("6", S(root, "spec", "parallelism"));
        Assert.Equal("Never", S(root, "spec", "template", "spec", "restartPolicy"));
        Assert.Equal("ghcr.io/x/mmsim:1.0", S(root, "spec", "template", "spec", "containers", "0", "image"));
        var command = ((YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)root["spec"])["template"])["spec"])["containers"])[0])["command"])
            .Select(n => ((YamlScalarNode)n).Value).ToList();
        Assert.Equal(["mmsim", "sweep", "run", "/sweep/sweep.yaml", "--out", "/sweep/results/run1", "--shard", "auto", "--shards", "6", "--jobs", "2"], command);
        Assert.Equal("/sweep", S(root, "spec", "template", "spec", "containers", "0", "volumeMounts", "0", "mountPath"));
        Assert.Equal("sweep", S(root, "spec", "template", "spec", "volumes", "0", "name"));
        Assert.Equal("sweeps", S(root, "spec", "template", "spec", "volumes", "0", "persistentVolumeClaim", "claimName"));
        Assert.Equal("2", S(root, "spec", "template", "spec", "containers", "0", "resources", "requests", "cpu"));
        Directory.Delete(dir, true);
    }
}
