using System.CommandLine;
using MmSim.Replay;
using Spectre.Console;

namespace MmSim.Cli.Commands;

/// <summary><c>mmsim policies</c>: lists the replacement policies of <c>mmsim replay</c>, with their parameters
/// (and the defaults' source) and a reference each.</summary>
public static class PoliciesCommand
{
    public static Command Create()
    {
        var cmd = new Command("policies", "List the page-replacement policies of mmsim replay");
        cmd.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var con = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Out = new AnsiConsoleOutput(output),
                Interactive = InteractionSupport.No,
            });
            con.Profile.Width = 200;
            var table = new Table().AddColumns("policy", "what it does", "parameters (defaults)", "reference");
            foreach (var p in PolicyRegistry.All)
                table.AddRow(Markup.Escape(p.Name), Markup.Escape(p.Description), Markup.Escape(p.Parameters), Markup.Escape(p.Reference));
            con.Write(table);
            return 0;
        });
        return cmd;
    }
}
