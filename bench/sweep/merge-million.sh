#!/usr/bin/env bash
# Merge reads a million cells in seconds: a sweep of 10 traces x 10 policies x 10,000 sizes, its results
# synthesised as four shards' packs, then timed: sweep status and sweep merge (CSV + Parquet).
# Usage: bench/sweep/merge-million.sh   (run from the repository root; needs python3)
set -euo pipefail
root=$(pwd)
dotnet build src/MmSim.Cli -c Release -v q -nologo >/dev/null
mmsim="dotnet $root/src/MmSim.Cli/bin/Release/net10.0/mmsim.dll"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/traces"
for i in $(seq 0 9); do seq 1 50 > "$work/traces/t$i.txt"; done
python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
pol = ["lru", "fifo", "mru", "random", "lfu", "clock", "sieve", "arc", "car", "s3fifo"]
open(f"{w}/m.yaml", "w").write("name: million\ntraces:\n  - { path: traces/*.txt, format: txt }\n"
    f"policies: [{', '.join(pol)}]\nframes: [{','.join(str(f) for f in range(1, 10001))}]\n")
PY
$mmsim sweep slurm "$work/m.yaml" --out "$work/out" --shards 4 >/dev/null   # the manifest
python3 - "$work/out/results" <<'PY'
import sys
pol = ["lru", "fifo", "mru", "random", "lfu", "clock", "sieve", "arc", "car", "s3fifo"]
out = [open(f"{sys.argv[1]}/pack.s{k}of4.synthetic.jsonl", "w") for k in range(4)]
i = 0
for t in range(10):
    for p in pol:
        for f in range(1, 10001):
            h = min(f, 50) // 2
            m = 50 - h
            out[i % 4].write('{"cell":"c%06d","trace":"traces/t%d.txt","format":"txt","policy":"%s","params":"","frames_spec":"%d","frames":%d,"requests":50,"hits":%d,"misses":%d,"miss_ratio":%r}\n' % (i, t, p, f, f, h, m, m / 50))
            i += 1
PY
/usr/bin/time -f "sweep status, 1,000,000 cells: %e s wall, %U s user, %S s sys, %M KB max RSS" $mmsim sweep status "$work/out" >/dev/null
/usr/bin/time -f "sweep merge, 1,000,000 cells: %e s wall, %U s user, %S s sys, %M KB max RSS" $mmsim sweep merge "$work/out"
ls -la "$work/out/results.csv" "$work/out/results.parquet"
