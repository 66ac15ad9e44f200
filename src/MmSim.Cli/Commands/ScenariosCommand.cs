using System.CommandLine;

namespace MmSim.Cli.Commands;

/// <summary><c>mmsim scenarios</c>: lists the built-in scenarios.</summary>
public static class ScenariosCommand
{
    public static Command Create()
    {
        var cmd = new Command("scenarios", "List the built-in scenarios (embedded in the binary)");
        cmd.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine("(none yet)");
            return 0;
        });
        return cmd;
    }
}
