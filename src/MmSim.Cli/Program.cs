using System.CommandLine;
using MmSim;
using MmSim.Cli.Commands;

namespace MmSim.Cli;

public static class Program
{
    /// <summary>Every command of the CLI: one file each under Commands/, one line here.</summary>
    private static readonly Func<Command>[] Commands =
    [
        RunCommand.Create,
        ScenariosCommand.Create,
        HostCommand.Create,
        TwinCommand.Create,
        ReplayCommand.Create,
        PoliciesCommand.Create,
        TranslateCommand.Create,
        CacheCommand.Create,
        TraceCommand.Create,
        ServeCommand.Create,
        SweepCommand.Create,
    ];

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the CLI with the given writers (tests call this directly).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("mmsim: a simulator of Linux memory management");
        foreach (var create in Commands) root.Subcommands.Add(create());
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) stderr.WriteLine($"mmsim: {e.Message}");
            return ExitCodes.BadInput;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                Output = stdout,
                Error = stderr,
            });
        }
        catch (InputException ex)
        {
            stderr.WriteLine($"mmsim: {ex.Format()}");
            return ExitCodes.BadInput;
        }
        catch (Exception ex) when (Environment.GetEnvironmentVariable("MMSIM_DEBUG") is null)
        {
            // A bug of ours, not the user's input: one line, and how to see the details.
            stderr.WriteLine($"mmsim: internal error: {ex.GetType().Name}: {ex.Message} (set MMSIM_DEBUG=1 for the stack trace)");
            return ExitCodes.Failure;
        }
    }
}

public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    /// <summary>Bad input: a malformed scenario, trace or option. One message, no stack trace.</summary>
    public const int BadInput = 2;
}
