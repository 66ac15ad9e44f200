using System.Globalization;

namespace MmSim.Memcg.Psi;

/// <summary>
/// The fixed-point arithmetic of kernel/sched/psi.c and include/linux/sched/loadavg.h: calc_load,
/// fixed_power_int, the 10 s / 60 s / 300 s decay factors over 2-second periods, and psi_show's "%lu.%02lu".
/// </summary>
public static class PsiAverages
{
    public const int FShift = 11;
    public const ulong Fixed1 = 1UL << FShift;
    /// <summary>EXP_10s = 1/exp(2s/10s), EXP_60s, EXP_300s as fixed-point.</summary>
    public const ulong Exp10s = 1677, Exp60s = 1981, Exp300s = 2034;
    public static readonly ulong[] Exps = [Exp10s, Exp60s, Exp300s];

    /// <summary>calc_load: (load × exp + active × (FIXED_1 − exp) [+ FIXED_1 − 1 when rising]) / FIXED_1.</summary>
    public static ulong CalcLoad(ulong load, ulong exp, ulong active)
    {
        ulong newload = load * exp + active * (Fixed1 - exp);
        if (active >= load) newload += Fixed1 - 1;
        return newload / Fixed1;
    }

    /// <summary>fixed_power_int(x, frac_bits, n): x^n in fixed point, by squaring, rounding each product.</summary>
    public static ulong FixedPowerInt(ulong x, int fracBits, uint n)
    {
        ulong result = 1UL << fracBits;
        if (n != 0)
        {
            while (true)
            {
                if ((n & 1) != 0)
                {
                    result *= x;
                    result += 1UL << (fracBits - 1);
                    result >>= fracBits;
                }
                n >>= 1;
                if (n == 0) break;
                x *= x;
                x += 1UL << (fracBits - 1);
                x >>= fracBits;
            }
        }
        return result;
    }

    /// <summary>
    /// calc_avgs: decay through <paramref name="missed"/> periods without an update, then fold in this period's
    /// stall share: pct = (time × 100 / period) × FIXED_1 (the percentage truncated to an integer first).
    /// </summary>
    public static void CalcAvgs(ulong[] avg, ulong missed, ulong time, ulong period)
    {
        if (missed != 0)
            for (int i = 0; i < 3; i++) avg[i] = CalcLoad(avg[i], FixedPowerInt(Exps[i], FShift, (uint)missed), 0);
        ulong pct = time * 100 / period;
        pct *= Fixed1;
        for (int i = 0; i < 3; i++) avg[i] = CalcLoad(avg[i], Exps[i], pct);
    }

    /// <summary>psi_show's "%lu.%02lu": LOAD_INT(avg) and LOAD_FRAC(avg), the fraction truncated to 2 digits.</summary>
    public static string Format(ulong avg)
    {
        ulong whole = avg >> FShift;
        ulong frac = ((avg & (Fixed1 - 1)) * 100) >> FShift;
        return string.Create(CultureInfo.InvariantCulture, $"{whole}.{frac:D2}");
    }
}
