using System.Globalization;
using System.Text;

namespace MmSim.Physical;

public sealed partial class PhysicalMemory
{
    /// <summary>
    /// /proc/buddyinfo (<c>frag_show_print</c>, mm/vmstat.c): for each populated zone
    /// <c>"Node %d, zone %8s "</c> then <c>"%6lu "</c> per order 0..10, each line ending in '\n' as the file does.
    /// </summary>
    public string FormatBuddyInfo()
    {
        var sb = new StringBuilder();
        foreach (var z in Zones)
        {
            sb.Append(CultureInfo.InvariantCulture, $"Node 0, zone {z.Name,8} ");
            for (int o = 0; o <= Buddy.MaxOrder; o++)
                sb.Append(CultureInfo.InvariantCulture, $"{z.FreeBlocks[o],6} ");
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
