#!/usr/bin/env bash
# Benchmark of `cutover build` on the generated inventory of bench/check.sh
# (2,000 changes, 5,000 systems, 20,000 integrations: about 15,000 files).
# Needs hyperfine (apt-get install hyperfine).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --example gen_inventory
cargo build --release --quiet
work=$(mktemp -d -p target)
trap 'rm -rf "$work"' EXIT
./target/release/examples/gen_inventory --changes 2000 --systems 5000 --integrations 20000 --periods 100 --seed 1 --out "$work/inv"
hyperfine --warmup 1 --runs 5 -N \
    "./target/release/cutover build $work/inv --as-of 2026-11-24 --quiet --allow-errors --out $work/site"
