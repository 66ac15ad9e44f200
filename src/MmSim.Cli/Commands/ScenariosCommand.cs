using System.CommandLine;
using MmSim.Cli.Formatting;
using MmSim.Workloads;
using Spectre.Console;

namespace MmSim.Cli.Commands;

/// <summary><c>mmsim scenarios</c>: lists the built-in scenarios (embedded in the binary).</summary>
public static class ScenariosCommand
{
    public static Command Create()
    {
        var show = new Option<string?>("--show") { Description = "Print the YAML of one built-in scenario" };
        var cmd = new Command("scenarios", "List the built-in scenarios (run one with: mmsim run NAME)") { show };
        cmd.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            string? name = parse.GetValue(show);
            if (name is not null)
            {
                BuiltinScenarios.Load(name); // an unknown name is an InputException listing the built-ins
                output.Write(BuiltinScenarios.Text(name));
                return ExitCodes.Ok;
            }
            var table = new Table().Border(TableBorder.Simple);
            table.AddColumn("name");
            table.AddColumn("what it shows");
            foreach (var (n, title) in BuiltinScenarios.List()) table.AddRow(n, Markup.Escape(title ?? ""));
            Consoles.For(output).Write(table);
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
