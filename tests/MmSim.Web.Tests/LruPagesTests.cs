using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json.Nodes;

namespace MmSim.Web.Tests;

/// <summary>The LRU view's pages (lab.lru_pages): the pages of each list on a small machine, head to tail, and the
/// moves between snapshots, checked against the list sizes and vmstat counters of the same document.</summary>
public sealed class LruPagesTests(SharedServer fixture) : IClassFixture<SharedServer>
{
    /// <summary>The smallest machine the simulator boots (64 MiB, MemTotal 15796 kB): a reader reads a 4 MiB file
    /// (1024 pages) and reads its first MiB again (256 pages activated); then an app touches 13 MiB, and reclaim
    /// takes file pages from the inactive tail and deactivates active ones.</summary>
    public const string Tiny = """
        title: A 64 MiB machine whose LRU lists can be read page by page
        seed: 42
        machine: { memory: 64MiB, swap: 16MiB }
        files:
          - { path: /data/log, size: 4MiB }
        processes:
          - name: reader
            steps:
              - read_file: { path: /data/log, offset: 0, size: 4MiB }
              - sleep: 2ms
              - read_file: { path: /data/log, offset: 0, size: 1MiB }
              - sleep: 5ms
          - name: app
            start_at: 15ms
            steps:
              - alloc: { name: heap, size: 13MiB }
              - touch: { region: heap, write: true }
              - access: { region: heap, pattern: random, count: 20000, write_ratio: 0.3 }
              - sleep: 2ms
        """;

    private static readonly string[] Lists = ["Inactive(anon)", "Active(anon)", "Inactive(file)", "Active(file)", "Unevictable"];

    private async Task<JsonNode> Run(string query, string body)
    {
        var r = await fixture.Server.Client.PostAsync("api/run" + query, new StringContent(body, Encoding.UTF8, "text/yaml"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
    }

    private static JsonNode Snapshot(JsonNode doc, long timeNs) =>
        doc["lab"]!["lru_pages"]!["snapshots"]!.AsArray().Single(s => (long)s!["time_ns"]! == timeNs)!;

    private static List<long> Column(JsonNode list, int i) => list.AsArray().Select(p => (long)p![i]!).ToList();

    [Fact]
    public async Task Tiny_machine_lists_hold_exactly_the_file_pages_read_head_to_tail()
    {
        var doc = await Run("", Tiny);
        var lp = doc["lab"]!["lru_pages"]!;
        Assert.Equal(4096, (int)lp["max_pages"]!);
        Assert.Equal(Lists, lp["lists"]!.AsArray().Select(x => (string)x!));
        Assert.Equal(["/data/log"], lp["files"]!.AsArray().Select(x => (string)x!));

        // At 4 ms the whole file has been read once: Inactive(file) is pages 1023..0 of file 0, each added at the
        // head (lru_cache_add), so the first page read is at the tail.
        var at4 = Snapshot(doc, 4_000_000)["lists"]!.AsArray();
        Assert.Equal(Enumerable.Range(0, 1024).Reverse().Select(i => (long)i), Column(at4[2]!, 3));
        Assert.All(at4[2]!.AsArray(), p => { Assert.Equal(1, (int)p![1]!); Assert.Equal(0, (int)p[2]!); });
        Assert.Empty(at4[0]!.AsArray());
        Assert.Empty(at4[3]!.AsArray());

        // At 6 ms the second read of the first MiB has activated pages 0..255 (mark_page_accessed on a referenced
        // inactive page): Active(file) holds them, the last activated at the head; Inactive(file) keeps 1023..256.
        var s6 = Snapshot(doc, 6_000_000);
        var at6 = s6["lists"]!.AsArray();
        Assert.Equal(Enumerable.Range(0, 256).Reverse().Select(i => (long)i), Column(at6[3]!, 3));
        Assert.Equal(Enumerable.Range(256, 768).Reverse().Select(i => (long)i), Column(at6[2]!, 3));
        var activated = s6["moves"]!["activated"]!.AsArray().Select(x => (long)x!).ToList();
        Assert.Equal(Column(at6[3]!, 0).Order(), activated);
        // The frames did not change: the activated pages are the frames that held pages 0..255 at 4 ms.
        Assert.Equal(Column(at4[2]!, 0).Skip(768).Order(), activated);

        // At 15 ms the app has touched 2667 pages of its heap: on Inactive(anon), owned by pid 1001, newest first.
        var anon = Snapshot(doc, 15_000_000)["lists"]!.AsArray()[0]!.AsArray();
        Assert.Equal(2667, anon.Count);
        Assert.All(anon, p => { Assert.Equal(0, (int)p![1]!); Assert.Equal(1001, (int)p[2]!); });
        var vpns = anon.Select(p => (long)p![3]!).ToList();
        Assert.Equal(Enumerable.Range(0, 2667).Select(i => vpns[^1] + 2666 - i), vpns);
    }

    [Fact]
    public async Task Pages_listed_match_the_list_sizes_and_every_move_is_in_its_new_list()
    {
        var doc = await Run("", Tiny);
        var cols = doc["timeline"]!["columns"]!.AsArray().Select(c => (string)c!).ToList();
        var rows = doc["timeline"]!["rows"]!.AsArray().ToDictionary(r => (long)r![0]!, r => r!.AsArray());
        var snaps = doc["lab"]!["lru_pages"]!["snapshots"]!.AsArray();
        Assert.True(snaps.Count >= 30, $"{snaps.Count} snapshots"); // every 1 ms sample of the 31.9 ms run
        long Counter(long t, string name) => (long)rows[t][cols.IndexOf(name)]!;
        long totalReclaimed = 0, totalActivated = 0, totalDeactivated = 0;
        for (int i = 0; i < snaps.Count; i++)
        {
            var s = snaps[i]!;
            long t = (long)s["time_ns"]!;
            var lists = s["lists"]!.AsArray();
            // Each list's pages are exactly its size in the same document's timeline row (kB / 4).
            for (int l = 0; l < 5; l++) Assert.Equal(Counter(t, Lists[l]) / 4, lists[l]!.AsArray().Count);
            var where = new Dictionary<long, int>();
            for (int l = 0; l < 5; l++) foreach (var p in lists[l]!.AsArray()) where.Add((long)p![0]!, l);
            var m = s["moves"]!;
            List<long> Moved(string k) => m[k]!.AsArray().Select(x => (long)x!).ToList();
            Assert.All(Moved("activated"), pfn => Assert.Contains(where[pfn], new[] { 1, 3 }));
            Assert.All(Moved("deactivated"), pfn => Assert.Contains(where[pfn], new[] { 0, 2 }));
            Assert.All(Moved("added"), pfn => Assert.True(where.ContainsKey(pfn)));
            Assert.Empty(Moved("freed")); // no process exits before the end
            if (i == 0) continue;
            long prevT = (long)snaps[i - 1]!["time_ns"]!;
            var before = snaps[i - 1]!["lists"]!.AsArray().SelectMany(l => l!.AsArray()).Select(p => (long)p![0]!).ToHashSet();
            Assert.All(Moved("reclaimed"), pfn => Assert.Contains(pfn, before));
            // Here no page moves twice between two snapshots, so the moves are exactly the counters' steps.
            Assert.Equal(Counter(t, "pgsteal_kswapd") + Counter(t, "pgsteal_direct") - Counter(prevT, "pgsteal_kswapd") - Counter(prevT, "pgsteal_direct"),
                Moved("reclaimed").Count);
            Assert.Equal(Counter(t, "pgactivate") - Counter(prevT, "pgactivate"), Moved("activated").Count);
            Assert.Equal(Counter(t, "pgdeactivate") - Counter(prevT, "pgdeactivate"), Moved("deactivated").Count);
            totalReclaimed += Moved("reclaimed").Count;
            totalActivated += Moved("activated").Count;
            totalDeactivated += Moved("deactivated").Count;
        }
        Assert.Equal(617, totalReclaimed);
        Assert.Equal(617, (long)doc["vmstat"]!["pgsteal_kswapd"]! + (long)doc["vmstat"]!["pgsteal_direct"]!);
        Assert.Equal(256, totalActivated);
        Assert.Equal(42, totalDeactivated);
        // The last snapshot is the final state: its lists are /proc/meminfo's at the end.
        var last = snaps[^1]!["lists"]!.AsArray();
        for (int l = 0; l < 5; l++) Assert.Equal((long)doc["meminfo"]![Lists[l]]! / 4, last[l]!.AsArray().Count);
    }

    [Fact]
    public async Task Larger_machines_send_no_pages_once_the_lists_hold_more_than_4096()
    {
        var doc = await Run("?builtin=oom-protect", "");
        var snaps = doc["lab"]!["lru_pages"]!["snapshots"]!.AsArray();
        Assert.Equal(doc["lab"]!["frames"]!["snapshots"]!.AsArray().Select(g => (long)g!["time_ns"]!), snaps.Select(s => (long)s!["time_ns"]!));
        var cols = doc["timeline"]!["columns"]!.AsArray().Select(c => (string)c!).ToList();
        var rows = doc["timeline"]!["rows"]!.AsArray().ToDictionary(r => (long)r![0]!, r => r!.AsArray());
        int withPages = 0, without = 0;
        foreach (var s in snaps)
        {
            long pages = Lists.Sum(n => (long)rows[(long)s!["time_ns"]!][cols.IndexOf(n)]! / 4);
            if (pages > 4096) { Assert.Null(s!["lists"]); without++; }
            else { Assert.Equal(pages, s!["lists"]!.AsArray().Sum(l => l!.AsArray().Count)); withPages++; }
        }
        Assert.True(without > 0 && withPages > 0, $"{withPages} with pages, {without} without");
    }
}
