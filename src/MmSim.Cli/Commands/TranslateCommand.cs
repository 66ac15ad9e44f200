using System.CommandLine;
using MmSim.Cli.Formatting;
using MmSim.Translate;

namespace MmSim.Cli.Commands;

/// <summary><c>mmsim translate</c>: the address-translation lab. Splits a virtual address under a paging scheme
/// (x86_64, x86_64_la57, i386, i386_pae, generic); translates (segment, offset) with <c>--segments</c>; walks a
/// simulated process's page table with <c>--scenario</c>; computes the effective access time with <c>--eat</c>.
/// docs/translate.md.</summary>
public static class TranslateCommand
{
    public static Command Create()
    {
        var address = new Argument<string?>("address") { Description = "Virtual address, 0x-hex or decimal", Arity = ArgumentArity.ZeroOrOne };
        var scheme = new Option<string>("--scheme")
        {
            Description = "Paging scheme: x86_64, x86_64_la57, i386, i386_pae or generic",
            DefaultValueFactory = _ => "x86_64",
        };
        var bits = new Option<string?>("--bits") { Description = "generic: index widths root first, e.g. 10,10" };
        var pageSize = new Option<string?>("--page-size") { Description = "generic: the page size (default 4KiB)" };
        var page = new Option<string?>("--page") { Description = "Large page: 2MiB or 1GiB (x86-64), 4MiB (i386), 2MiB (i386_pae)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON document" };
        var segments = new Option<string?>("--segments") { Description = "Segment table SEG:BASE:LIMIT[:PROT],... (PROT letters r, w, x; default rwx)" };
        var segment = new Option<int?>("--segment") { Description = "With --segments or a segmented --scenario: the segment number" };
        var offset = new Option<string?>("--offset") { Description = "With --segments or a segmented --scenario: the offset in the segment" };
        var access = new Option<string>("--access") { Description = "The access checked: r, w or x (segments); r or w (--scenario)", DefaultValueFactory = _ => "r" };
        var scenario = new Option<string?>("--scenario") { Description = "Run this scenario (file or built-in), then walk a process's page table" };
        var pid = new Option<int?>("--pid") { Description = "With --scenario: the process whose page table is walked" };
        var eat = new Option<bool>("--eat") { Description = "Effective access time of the scheme's walk with a TLB (--hit, --tlb, --mem)" };
        var hit = new Option<string?>("--hit") { Description = "With --eat: the TLB hit ratio, 0 to 1 (or a percentage, 98%)" };
        var tlb = new Option<string>("--tlb") { Description = "With --eat: TLB lookup time (ns, or with a unit)", DefaultValueFactory = _ => "20ns" };
        var mem = new Option<string>("--mem") { Description = "With --eat: memory access time (ns, or with a unit)", DefaultValueFactory = _ => "100ns" };
        var cmd = new Command("translate", "Address translation: split an address into page-table indices and offset, or translate (segment, offset)")
        {
            address, scheme, bits, pageSize, page, json, segments, segment, offset, access, scenario, pid, eat, hit, tlb, mem,
        };
        cmd.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(segments) is { } segs)
            {
                if (parse.GetValue(address) is not null) throw new InputException("ADDRESS", 0, "--segments takes --segment and --offset, not an address");
                return SegmentTranslate.Run(segs, parse.GetValue(segment), parse.GetValue(offset), parse.GetValue(access)!, parse.GetValue(json), stdout);
            }
            if (parse.GetValue(eat))
            {
                var levels = TranslateInput.Layout(parse.GetValue(scheme)!, parse.GetValue(bits), parse.GetValue(pageSize), parse.GetValue(page));
                return EatMode.Run(levels, parse.GetValue(hit), parse.GetValue(tlb)!, parse.GetValue(mem)!, parse.GetValue(json), stdout);
            }
            if (parse.GetValue(scenario) is { } scen && parse.GetValue(segment) is not null)
                return SegmentScenarioWalk.Run(scen, parse.GetValue(pid), parse.GetValue(segment), parse.GetValue(offset), parse.GetValue(address), parse.GetValue(access)!, parse.GetValue(json), stdout);
            if (parse.GetValue(scenario) is { } scen2)
                return ScenarioWalk.Run(scen2, parse.GetValue(pid), parse.GetValue(address), parse.GetValue(access)!, parse.GetValue(json), stdout);
            string text = parse.GetValue(address) ?? throw new InputException("ADDRESS", 0, "expected an address to translate, e.g. 0x7f1234567abc");
            var layout = TranslateInput.Layout(parse.GetValue(scheme)!, parse.GetValue(bits), parse.GetValue(pageSize), parse.GetValue(page));
            ulong va = TranslateInput.ParseAddress(text);
            TranslateInput.CheckWidth(va, layout);
            var t = layout.Split(va);
            if (parse.GetValue(json)) stdout.WriteLine(TranslateReport.Json(t));
            else TranslateReport.Text(t, layout, stdout);
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
