namespace MmSim.Web.Lab;

/// <summary>One step of the step mode: an event at a simulated time, its kind (the key of its sentence in the
/// language files, wwwroot/i18n/*.json under "step"), the numbers the sentence needs, and the kernel's own log
/// line where there is one. Arguments ending in _kb are sizes, in _ns durations.</summary>
public sealed record LabStep(long TimeNs, string Kind, int Pid, IReadOnlyDictionary<string, object> Args, string? Message);
