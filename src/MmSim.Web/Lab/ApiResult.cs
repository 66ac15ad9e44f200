using System.Text.Json;

namespace MmSim.Web.Lab;

/// <summary>An answer of the API: the HTTP status and the JSON body.</summary>
public sealed record ApiResult(int Status, string Json)
{
    /// <summary>Wall time of the simulation, sent as the X-Mmsim-Wall-Ms header (not in the body, which stays
    /// byte-identical for the same scenario and seed).</summary>
    public double? WallMs { get; init; }

    public static ApiResult Ok(string json) => new(200, json);

    /// <summary>400 for bad input, with the line (0 when not known) the problem is at.</summary>
    public static ApiResult BadInput(string error, int line) => Error(400, error, line);

    /// <summary><c>{ "error": ..., "line": ... }</c>.</summary>
    public static ApiResult Error(int status, string error, int line = 0) =>
        new(status, JsonSerializer.Serialize(new Dictionary<string, object> { ["error"] = error, ["line"] = line }));
}
