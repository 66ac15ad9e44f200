namespace MmSim.Workloads;

/// <summary>Parses <c>prot:</c>: the letters r, w, x in any order, each at most once, or <c>none</c>.</summary>
internal static class ProtParser
{
    public static bool TryParse(string text, out Prot prot)
    {
        prot = Prot.None;
        string t = text.Trim().ToLowerInvariant();
        if (t is "none" or "---") return true;
        if (t.Length == 0) return false;
        foreach (char c in t)
        {
            Prot bit = c switch { 'r' => Prot.Read, 'w' => Prot.Write, 'x' => Prot.Exec, _ => Prot.None };
            if (bit == Prot.None || (prot & bit) != 0) return false;
            prot |= bit;
        }
        return true;
    }
}
