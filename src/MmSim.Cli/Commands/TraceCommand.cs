using System.CommandLine;
using System.Globalization;
using MmSim.Cache;

namespace MmSim.Cli.Commands;

/// <summary><c>mmsim trace -o FILE -- COMMAND ARGS</c>: records a real program's memory accesses with valgrind's
/// lackey tool, in the lackey format that <c>mmsim cache</c> and the scenario <c>trace</c> step read.</summary>
public static class TraceCommand
{
    public static Command Create()
    {
        var output = new Option<string>("-o", "--output") { Description = "Write the lackey trace to this file", Required = true };
        var valgrind = new Option<string?>("--valgrind") { Description = "The valgrind program (default: valgrind on PATH)" };
        var command = new Argument<string[]>("command") { Description = "The program and its arguments (after --)", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("trace", "Record a program's memory trace with valgrind lackey (I/L/S/M lines)") { output, valgrind, command };
        cmd.SetAction(parse =>
        {
            var w = parse.InvocationConfiguration.Output;
            string file = parse.GetValue(output)!;
            var s = LackeyCapture.Run(parse.GetValue(valgrind), parse.GetValue(command) ?? [], file);
            var inv = CultureInfo.InvariantCulture;
            w.WriteLine(string.Create(inv, $"{file}: {s.Lines} lines ({s.Bytes} bytes): {s.Instructions} instruction fetches, {s.Loads} loads, {s.Stores} stores, {s.Modifies} modifies; {s.DistinctPages} distinct 4 KiB pages"));
            w.WriteLine(string.Create(inv, $"program exit status {s.ExitCode}"));
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
