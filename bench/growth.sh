#!/usr/bin/env bash
# How `check` and `build` grow with the inventory: the generated inventory of
# bench/check.sh at 1x (2,000 changes, 5,000 systems, 20,000 integrations) and
# at FACTORx (changes, systems and integrations times FACTOR; the 100 periods
# stay), each run ROUNDS times, 1x and FACTORx alternating, after one warm-up.
# Prints the median wall times and the ratios FACTORx / 1x (goal at 10x: at
# most 11 for each). Inventories and sites go to tmpfs (/dev/shm, else
# TMPDIR) and are removed at the end.
# usage: bench/growth.sh [ROUNDS] [FACTOR]        (needs python3)
# CUTOVER_BIN=path measures another binary. Set CUTOVER_TIMINGS=1 to see the stages of every run on stderr.
set -euo pipefail
ROUNDS=${1:-3}; FACTOR=${2:-10}
cd "$(dirname "$0")/.."
cargo build --release --quiet --example gen_inventory
cargo build --release --quiet
BIN=${CUTOVER_BIN:-$PWD/target/release/cutover}
GEN=$PWD/target/release/examples/gen_inventory
BASE=/dev/shm; [ -d "$BASE" ] && [ -w "$BASE" ] || BASE=${TMPDIR:-/tmp}
W=$(mktemp -d -p "$BASE"); trap 'rm -rf "$W"' EXIT
"$GEN" --changes 2000 --systems 5000 --integrations 20000 --periods 100 --seed 1 --out "$W/inv-1" 2>/dev/null
"$GEN" --changes $((2000 * FACTOR)) --systems $((5000 * FACTOR)) --integrations $((20000 * FACTOR)) \
    --periods 100 --seed 1 --out "$W/inv-$FACTOR" 2>/dev/null
python3 - "$BIN" "$W" "$ROUNDS" "$FACTOR" <<'PY'
import shutil, statistics, subprocess, sys, time
bin_, w, rounds, factor = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
cmds = {
    "check": lambda inv, out: [bin_, "check", inv, "--as-of", "2026-11-24", "--quiet"],
    "build": lambda inv, out: [bin_, "build", inv, "--out", out, "--as-of", "2026-11-24",
                               "--allow-errors", "--quiet"],
}
wall = {(c, s): [] for c in cmds for s in (1, factor)}
for r in range(rounds + 1):          # round 0 is the warm-up
    for c, cmd in cmds.items():
        for s in (1, factor):
            out = f"{w}/site-{s}"
            t = time.monotonic()
            subprocess.run(cmd(f"{w}/inv-{s}", out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if r:
                wall[(c, s)].append(time.monotonic() - t)
            shutil.rmtree(out, ignore_errors=True)
for c in cmds:
    one, many = (statistics.median(wall[(c, s)]) for s in (1, factor))
    print(f"{c}  1x {one:7.2f} s   {factor}x {many:7.2f} s   ratio {many / one:5.1f}   (goal: <= {factor + 1})")
PY
