using Spectre.Console;

namespace MmSim.Cli.Formatting;

/// <summary>A Spectre.Console console over a TextWriter: colours only on a real terminal, and a wide fixed
/// width when redirected so that tables do not wrap in files and tests.</summary>
public static class Consoles
{
    public static IAnsiConsole For(TextWriter writer)
    {
        bool terminal = ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal) console.Profile.Width = 160;
        return console;
    }
}
