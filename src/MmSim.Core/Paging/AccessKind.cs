namespace MmSim.Paging;

/// <summary>What an access does: load, store or instruction fetch.</summary>
public enum AccessKind : byte { Read = 0, Write = 1, Exec = 2 }
