#!/usr/bin/env bash
# Benchmark of `cutover gate` and `cutover slots` against `cutover check` on
# the generated inventory of bench/check.sh (2,000 changes of 3 phases,
# 5,000 systems, 20,000 integrations, 100 periods). Each answer checks the
# inventory once, then runs the rules of one change at the calendar's
# turning points: the difference to `check` is the cost of the question.
# Needs hyperfine.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --example gen_inventory
cargo build --release --quiet
bin=./target/release/cutover
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./target/release/examples/gen_inventory --changes 2000 --systems 5000 --integrations 20000 --periods 100 --seed 1 --out "$work/inv" > /dev/null
# The first change of the generated plan, and the systems of its first phase.
change=$(sed -n 's/^id = "\(CHG-[0-9]*\)"$/\1/p' "$work/inv/changes/part-001.toml" | head -1)
# gate and check exit 1 on closed or errors: -i ignores that.
hyperfine --warmup 1 --runs 10 -N -i \
    "$bin check $work/inv --as-of 2026-11-24 --format json" \
    "$bin gate $work/inv --as-of 2026-11-24 --change $change --at 2026-12-06T02:00 --format json" \
    "$bin slots $work/inv --as-of 2026-11-24 --change $change --from 2026-11-24 --format json" \
    "$bin slots $work/inv --as-of 2026-11-24 --change $change --from 2026-11-24 --horizon 360d --format json"
