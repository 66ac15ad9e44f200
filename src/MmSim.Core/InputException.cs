namespace MmSim;

/// <summary>
/// Bad input from a user: a scenario, a trace, a command-line value. The CLI prints <see cref="Format"/> and exits
/// with code 2, never a stack trace. <see cref="Source"/> names the file (or "command line"), <see cref="Line"/> is
/// 1-based (0 when not known), and the message says what was expected.
/// </summary>
public sealed class InputException : Exception
{
    public string SourceName { get; }
    public int Line { get; }
    public int Column { get; }

    public InputException(string sourceName, int line, string message, int column = 0, Exception? inner = null)
        : base(message, inner)
    {
        SourceName = sourceName;
        Line = line;
        Column = column;
    }

    /// <summary>"file:line:column: message", the form compilers use, so editors can jump to it.</summary>
    public string Format()
    {
        if (Line <= 0) return $"{SourceName}: {Message}";
        return Column > 0 ? $"{SourceName}:{Line}:{Column}: {Message}" : $"{SourceName}:{Line}: {Message}";
    }
}
