#!/usr/bin/env bash
# Benchmark of `cutover check` on a generated inventory of the size the
# schedule issue names: 2,000 changes (3 phases each), 5,000 systems,
# 20,000 integrations, 100 periods. Needs hyperfine (apt-get install hyperfine).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --example gen_inventory
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./target/release/examples/gen_inventory --changes 2000 --systems 5000 --integrations 20000 --periods 100 --seed 1 --out "$work/inv"
# check exits 1 (the generated plan has errors on purpose): -i ignores that.
hyperfine --warmup 2 --runs 10 -N -i \
    "./target/release/cutover check $work/inv --as-of 2026-11-24 --format json" \
    "./target/release/cutover check $work/inv --as-of 2026-11-24 --quiet"
