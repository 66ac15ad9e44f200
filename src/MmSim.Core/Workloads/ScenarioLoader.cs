namespace MmSim.Workloads;

/// <summary>Loads and validates scenarios; every problem is an <see cref="InputException"/> naming the line.</summary>
public static class ScenarioLoader
{
    /// <summary>Reads a scenario file; its name (without extension) is the scenario's name unless it sets one.</summary>
    public static Scenario LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException
                                       or NotSupportedException)
        {
            string why = ex is FileNotFoundException or DirectoryNotFoundException ? "no such file" : ex.Message;
            throw new InputException(path, 0, $"cannot read scenario file '{path}': {why}", 0, ex);
        }
        return LoadText(text, path, Path.GetFileNameWithoutExtension(path));
    }

    /// <summary>The text of a scenario file, with the same errors as <see cref="LoadFile"/>.</summary>
    public static string ReadFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException
                                       or NotSupportedException)
        {
            string why = ex is FileNotFoundException or DirectoryNotFoundException ? "no such file" : ex.Message;
            throw new InputException(path, 0, $"cannot read scenario file '{path}': {why}", 0, ex);
        }
    }

    /// <summary>Parses and validates YAML text; <paramref name="sourceName"/> is used in error messages.</summary>
    public static Scenario LoadText(string yaml, string sourceName) => LoadText(yaml, sourceName, null);

    internal static Scenario LoadText(string yaml, string sourceName, string? defaultName)
    {
        var scenario = ScenarioParser.Parse(yaml, sourceName);
        scenario.Name ??= defaultName;
        ScenarioValidator.Validate(scenario);
        return scenario;
    }
}
