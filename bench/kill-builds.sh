#!/usr/bin/env bash
# kill -9 at random moments of builds into one --out (issue 10, case 2).
# Builds the example inventory into one folder RUNS times (50 unless set),
# kills each at a random moment of its run (0 to 1.2 times the length of
# a whole build), and after each checks that the folder holds a complete
# site: the marker, index.html, data.json, and the same files with the same
# bytes as a reference build. A last build must leave no folder of the
# killed ones behind, nor their lock file. Exits non-zero on any failure. CUTOVER=path runs
# another binary (an older one, to compare) instead of a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${CUTOVER:-}" ]; then
    cargo build --release --quiet
fi
bin=${CUTOVER:-./target/release/cutover}
runs=${RUNS:-50}
mkdir -p target
work=$(mktemp -d -p target)
trap 'rm -rf "$work"' EXIT
out="$work/d/site"

build() {
    "$bin" build inventory --as-of 2026-11-24 --quiet --allow-errors --out "$1" >/dev/null 2>&1
}
siblings() {
    find "$work/d" -mindepth 1 -maxdepth 1 \( -name '.site.new-*' -o -name '.site.old-*' \) | wc -l
}
failures=0
fail() {
    echo "FAIL (run $1): $2" >&2
    failures=$((failures + 1))
}
verify() {
    local run=$1
    for name in .cutover-site index.html data.json; do
        [ -f "$out/$name" ] || { fail "$run" "--out lacks $name"; return; }
    done
    diff -r -q "$work/reference" "$out" >/dev/null || fail "$run" "--out differs from the reference build"
}

build "$work/reference"
build "$out"
start=$(date +%s%N)
build "$out"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "one build: ${ms} ms; $(find "$work/reference" -type f | wc -l) files"

killed=0 finished=0 left=0
for run in $(seq 1 "$runs"); do
    "$bin" build inventory --as-of 2026-11-24 --quiet --allow-errors --out "$out" >/dev/null 2>&1 &
    pid=$!
    delay=$(( RANDOM % (ms * 6 / 5 + 1) ))
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    kill -9 "$pid" 2>/dev/null || true
    status=0
    # (Its stderr holds the shell's "Killed" notice.)
    wait "$pid" 2>/dev/null || status=$?
    case $status in
        137) killed=$((killed + 1)) ;;
        0) finished=$((finished + 1)) ;;
        *) fail "$run" "the build exited $status" ;;
    esac
    # Folders a killed build left; the next build removes them.
    [ "$(siblings)" -eq 0 ] || left=$((left + 1))
    verify "$run"
done

build "$out"
verify final
[ "$(siblings)" -eq 0 ] || fail final "$(siblings) folders of killed builds were left"
[ "$(ls -A "$work/d")" = site ] || fail final "beside the site: $(ls -A "$work/d" | tr '\n' ' ')"
echo "runs: $runs; killed: $killed; finished before the kill: $finished; kills that left a .site.new/.old folder: $left; failures: $failures"
[ "$failures" -eq 0 ]
