#!/usr/bin/env bash
# Sharding costs nothing measurable: N shards of one core each, run at once on one machine, against one process
# running the whole sweep with N cores (--jobs N). Same cells, same traces; the merged tables must be identical.
# Usage: bench/sweep/shards-vs-single.sh [N] [ROUNDS]   (run from the repository root; needs python3)
set -euo pipefail
n=${1:-$(nproc)}
rounds=${2:-2}
root=$(pwd)
dotnet build src/MmSim.Cli -c Release -v q -nologo >/dev/null
mmsim="dotnet $root/src/MmSim.Cli/bin/Release/net10.0/mmsim.dll"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/traces"
cp tests/MmSim.Tests/Replay/data/cloudPhysicsIO.oracleGeneral.bin.gz tests/MmSim.Tests/Replay/data/cloudPhysicsIO.txt.zst "$work/traces/"
python3 - "$work/traces" <<'PY'
import random, sys
for s in (1, 2):   # two Zipf(1) traces, 1,000,000 references over 100,000 pages
    random.seed(s)
    n = 100000
    xs = random.choices(range(n), weights=[1.0 / (r + 1) for r in range(n)], k=1000000)
    open(f"{sys.argv[1]}/zipf{s}.txt", "w").write("\n".join(str(x * 7919 + s) for x in xs) + "\n")
PY
cat > "$work/bench.yaml" <<'YAML'
name: bench
traces:
  - { path: traces/cloudPhysicsIO.oracleGeneral.bin.gz, format: oracleGeneral }
  - { path: traces/cloudPhysicsIO.txt.zst, format: txt }
  - { path: traces/zipf*.txt, format: txt }
policies: [lru, fifo, arc, s3fifo, sieve, lirs, clock, 2q]
frames: [1%, 2%, 5%, 10%, 15%, 20%, 30%, 40%, 50%, 75%]
YAML
# The folders are planned first (the traces counted once), so both sides time only the cells.
for r in $(seq 1 "$rounds"); do
  rm -rf "$work/single" "$work/sharded"
  $mmsim sweep slurm "$work/bench.yaml" --out "$work/single" --shards 1 >/dev/null
  $mmsim sweep slurm "$work/bench.yaml" --out "$work/sharded" --shards "$n" >/dev/null
  s0=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$work/single.cpu" $mmsim sweep run "$work/bench.yaml" --out "$work/single" --jobs "$n" >/dev/null
  s1=$(date +%s.%N)
  for i in $(seq 0 $((n - 1))); do
    /usr/bin/time -f "%U %S" -o "$work/shard$i.cpu" $mmsim sweep run "$work/bench.yaml" --out "$work/sharded" --shard "$i/$n" --jobs 1 >/dev/null &
  done
  wait
  s2=$(date +%s.%N)
  $mmsim sweep merge "$work/single" >/dev/null
  $mmsim sweep merge "$work/sharded" >/dev/null
  cmp "$work/single/results.csv" "$work/sharded/results.csv"
  single_cpu=$(awk '{print $1 + $2}' "$work/single.cpu")
  shard_cpu=$(cat "$work"/shard*.cpu | awk '{s += $1 + $2} END {print s}')
  awk -v a="$s0" -v b="$s1" -v c="$s2" -v sc="$single_cpu" -v hc="$shard_cpu" -v n="$n" -v r="$r" 'BEGIN {
    printf "round %d: 1 process --jobs %d: %.2f s wall, %.2f s CPU; %d shards --jobs 1: %.2f s wall (%+.1f %%), %.2f s CPU (%+.1f %%); merged tables identical\n",
      r, n, b - a, sc, n, c - b, 100 * ((c - b) / (b - a) - 1), hc, 100 * (hc / sc - 1) }'
done
