namespace MmSim.Cache;

/// <summary>One lackey data line: op 'I', 'L', 'S' or 'M', the address, the size in bytes and the 1-based line.</summary>
public readonly record struct LackeyRecord(byte Op, ulong Address, int Size, int Line);
