using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MmSim.Web.Lab;

namespace MmSim.Web.Tests;

/// <summary>The server treats every request as hostile: size limits, work budget, wall-clock limit, concurrency,
/// refusing huge machines before allocating them, no real files.</summary>
public sealed class SafetyTests
{
    private static async Task<(HttpStatusCode Status, JsonNode Doc)> Post(HttpClient http, string path, HttpContent content)
    {
        var r = await http.PostAsync(path, content);
        return (r.StatusCode, JsonNode.Parse(await r.Content.ReadAsStringAsync())!);
    }

    private static StringContent Yaml(string text) => new(text, Encoding.UTF8, "text/yaml");

    /// <summary>A body whose length is not announced (chunked), so only reading it finds it too large.</summary>
    private sealed class UnsizedContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();
        protected override bool TryComputeLength(out long length) { length = -1; return false; }
    }

    private const string ManyAccesses = """
        machine: { memory: 256MiB }
        processes:
          - name: busy
            steps:
              - alloc: { name: heap, size: 64MiB }
              - touch: { region: heap, write: true }
              - access: { region: heap, pattern: random, count: 5000000 }
        """;

    [Fact]
    public async Task Body_over_1_MiB_is_413_announced_or_chunked()
    {
        await using var s = await LabServer.StartAsync();
        var big = new byte[(1 << 20) + 1];
        Array.Fill(big, (byte)'#');
        foreach (var path in new[] { "api/run", "api/replay", "api/translate" })
        {
            var (status, doc) = await Post(s.Client, path, new ByteArrayContent(big));
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
            Assert.Equal("the request body is over this server's limit of 1,048,576 bytes", (string)doc["error"]!);
        }
        var (chunked, _) = await Post(s.Client, "api/run", new UnsizedContent(big));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked);
        // Exactly 1 MiB is still read (and is then just bad YAML: a comment, no processes).
        var (ok, doc2) = await Post(s.Client, "api/run", new ByteArrayContent(big[..(1 << 20)]));
        Assert.Equal(HttpStatusCode.BadRequest, ok);
        Assert.NotNull(doc2["error"]);
    }

    [Fact]
    public async Task Huge_machines_and_repeats_are_refused_before_running()
    {
        await using var s = await LabServer.StartAsync();
        var (tib64, d1) = await Post(s.Client, "api/run", Yaml("machine: { memory: 64TiB }\nprocesses: [ { name: a, steps: [ { sleep: 1ms } ] } ]\n"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tib64);
        Assert.Equal("machine.memory 64TiB is more than this server simulates (at most 16GiB; mmsim serve --max-memory raises it)", (string)d1["error"]!);

        var (gib512, d2) = await Post(s.Client, "api/run", Yaml("machine: { memory: 512GiB }\nprocesses: [ { name: a, steps: [ { sleep: 1ms } ] } ]\n"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, gib512);
        Assert.Equal("machine.memory 512GiB is more than this server simulates (at most 16GiB; mmsim serve --max-memory raises it)", (string)d2["error"]!);

        var (billion, d3) = await Post(s.Client, "api/run", Yaml("""
            machine: { memory: 64MiB }
            processes:
              - name: a
                steps:
                  - repeat: { times: 1000000000, steps: [ { sleep: 1ms } ] }
            """));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, billion);
        Assert.Equal("the scenario asks for 1,000,000,001 steps (repeats included), more than this server's limit of 10,000,000", (string)d3["error"]!);

        var (accesses, d4) = await Post(s.Client, "api/run", Yaml("""
            machine: { memory: 64MiB }
            processes:
              - name: a
                steps:
                  - alloc: { name: heap, size: 1MiB }
                  - repeat: { times: 1000000, steps: [ { access: { region: heap, count: 1000000 } } ] }
            """));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, accesses);
        Assert.Equal("the scenario asks for 1,000,000,000,000 simulated accesses, more than this server's work budget of 50,000,000 (mmsim serve --max-accesses raises it)", (string)d4["error"]!);
    }

    [Fact]
    public async Task Work_budget_stops_a_run_the_estimate_missed_and_the_server_answers_the_next()
    {
        await using var s = await LabServer.StartAsync(new WebLabOptions { MaxAccesses = 1000 });
        // Touching a mapped file is not in the estimate (its size is the file's): the run loop's budget stops it.
        var (status, doc) = await Post(s.Client, "api/run", Yaml("""
            machine: { memory: 256MiB }
            files: [ { path: /data/big, size: 64MiB } ]
            processes:
              - name: a
                steps:
                  - map_file: { name: f, path: /data/big }
                  - touch: { region: f }
            """));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.StartsWith("the simulation exceeded its work budget of 1,000 simulated accesses", (string)doc["error"]!);
        var (next, small) = await Post(s.Client, "api/run", Yaml("""
            machine: { memory: 64MiB }
            processes: [ { name: a, steps: [ { alloc: { name: h, size: 1MiB } }, { touch: { region: h } } ] } ]
            """));
        Assert.Equal(HttpStatusCode.OK, next);
        Assert.Equal(256, (long)small["processes"]![0]!["accesses"]!);
    }

    [Fact]
    public async Task Wall_clock_limit_is_422_and_the_server_answers_the_next()
    {
        await using var s = await LabServer.StartAsync(new WebLabOptions { TimeLimit = TimeSpan.FromMilliseconds(50) });
        // 40 million accesses (under the default budget of 50 million) take far longer than 50 ms on any machine.
        var (status, doc) = await Post(s.Client, "api/run", Yaml(ManyAccesses.Replace("count: 5000000", "count: 40000000")));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("the simulation exceeded this server's wall-clock limit of 50 ms and was stopped (mmsim serve --time-limit raises it)", (string)doc["error"]!);
        var (next, _) = await Post(s.Client, "api/replay", new StringContent("""{ "refs": "1,2,1", "frames": [1], "policies": ["lru"] }"""));
        Assert.Equal(HttpStatusCode.OK, next);
    }

    [Fact]
    public async Task More_simulations_than_allowed_at_once_get_503()
    {
        await using var s = await LabServer.StartAsync(new WebLabOptions
        {
            MaxConcurrent = 1, QueueWait = TimeSpan.Zero, TimeLimit = TimeSpan.FromSeconds(5), MaxAccesses = 2_000_000_000,
        });
        var runs = s.App.Services.GetRequiredService<RunService>();
        // The first run must still be going when the second request arrives. Wait for it to start on this thread
        // (a Task.Delay loop needs a pool thread, which a busy CI machine can withhold for seconds, while the run
        // ends unseen), and make it run until the wall-clock limit stops it: a billion accesses (10 million ended
        // before the second request on a fast machine).
        var first = Post(s.Client, "api/run", Yaml(ManyAccesses.Replace("count: 5000000", "count: 1000000000")));
        SpinWait.SpinUntil(() => runs.Running != 0 || first.IsCompleted, TimeSpan.FromSeconds(30));
        Assert.Equal(1, runs.Running);
        var (status, doc) = await Post(s.Client, "api/run?builtin=lazy-allocation", Yaml(""));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("the server is already running 1 simulations; try again shortly", (string)doc["error"]!);
        var (firstStatus, _) = await first;
        Assert.Equal(HttpStatusCode.UnprocessableEntity, firstStatus); // stopped by the 5 s limit
        var (after, _) = await Post(s.Client, "api/run?builtin=lazy-allocation", Yaml(""));
        Assert.Equal(HttpStatusCode.OK, after);
    }

    [Fact]
    public async Task Scenario_files_are_simulated_never_read_from_disk()
    {
        await using var s = await LabServer.StartAsync();
        // /etc/passwd exists here and is a few kB; the simulated one is 8 MiB and is read from the simulated disk.
        var (status, doc) = await Post(s.Client, "api/run", Yaml("""
            machine: { memory: 256MiB }
            files: [ { path: /etc/passwd, size: 8MiB }, { path: /no/such/dir/secret, size: 4MiB } ]
            processes:
              - name: a
                steps:
                  - read_file: { path: /etc/passwd, offset: 0, size: 8MiB }
                  - read_file: { path: /no/such/dir/secret, offset: 0, size: 4MiB }
            """));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(12 * 1024, (long)doc["vmstat"]!["pgpgin"]!);
    }
}
