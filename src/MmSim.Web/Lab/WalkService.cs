using System.Text.Json;
using System.Text.Json.Nodes;
using MmSim.Translate;

namespace MmSim.Web.Lab;

/// <summary>POST /api/translate with a scenario and a pid: <c>{ "builtin": "oom-protect" (or "scenario": YAML),
/// "pid": 1000, "address": "0x7ffff7ff0abc", "access": "r" }</c> → runs the scenario within the server's limits,
/// then walks the process's page table as the run left it: the document of
/// <c>mmsim translate --scenario S --pid N ADDRESS --json</c>, plus <c>vmas</c> (the process's mappings, to pick
/// an address from).</summary>
public static class WalkService
{
    public static bool Wants(JsonElement root) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty("pid", out _);

    public static async Task<ApiResult> RunAsync(JsonElement root, RunService runs, CancellationToken aborted)
    {
        try
        {
            int pid = root.GetProperty("pid").TryGetInt32(out int p) ? p : throw new InputException("pid", 0, "expected \"pid\": a process id such as 1000");
            string? builtin = Text(root, "builtin");
            string yaml = Text(root, "scenario") ?? "";
            if (builtin is null && yaml == "") throw new InputException("scenario", 0, "expected \"builtin\" (a built-in's name) or \"scenario\" (its YAML)");
            string addressText = Text(root, "address") ?? throw new InputException("address", 0, "expected \"address\", e.g. \"0x7ffff7ff0abc\"");
            ulong address = TranslateInput.ParseAddress(addressText, "address");
            string access = Text(root, "access") ?? "r";
            if (access is not ("r" or "w")) throw new InputException("access", 0, $"invalid access '{access}'; expected r or w");
            var (error, machine, _) = await runs.SimulateAsync(yaml, builtin, [], null, aborted);
            if (error is not null) return error;
            var task = machine!.Tasks.FirstOrDefault(t => t.Pid == pid)
                ?? throw new InputException("pid", 0, $"no process {pid} in the scenario; its pids are {string.Join(", ", machine.Tasks.Select(t => t.Pid))}");
            var walk = PageWalk.Walk(machine.Kernel, task.Mm, address, write: access == "w");
            var doc = JsonNode.Parse(TranslateJson.Of(pid, walk, task.Mm.Tlb))!.AsObject();
            var vmas = new JsonArray();
            foreach (var v in task.Mm.Vmas)
                vmas.Add(new JsonObject { ["name"] = PageWalk.Name(v), ["start"] = $"0x{v.Start:x}", ["end"] = $"0x{v.End:x}" });
            doc["vmas"] = vmas;
            return ApiResult.Ok(doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        catch (InputException ex)
        {
            return ApiResult.BadInput(ex.Format(), 0);
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
