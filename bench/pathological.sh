#!/usr/bin/env bash
# Benchmark of `cutover check` and `cutover build` on the pathological
# inventories of issue 10 (examples/gen_pathological.rs), side by side with
# the generated benchmark inventory of bench/build.sh (2,000 changes, 5,000
# systems, 20,000 integrations, 100 periods). For each: wall time, peak
# memory (maximum resident set size, from /usr/bin/time -v), the size of the
# site, its largest page, and each figure as a ratio to the benchmark
# inventory's. Every ratio must stay at or below 10: the script exits 1
# when one does not.
#
#   bench/pathological.sh [SHAPE...]   # default: every shape
#
# One run each, not a timed test: the machine's load shows in the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --example gen_inventory --example gen_pathological
cargo build --release --quiet
bin=./target/release
work=$(mktemp -d -p target)
trap 'rm -rf "$work"' EXIT
as_of=2026-11-24
limit=10

shapes=("$@")
[ ${#shapes[@]} -eq 0 ] && shapes=(chain collide blast phases periods audiences)

# `measure NAME COMMAND...`: runs COMMAND under /usr/bin/time -v (an exit
# status of 1, a plan with errors, is expected) and sets SECONDS_ and KB_.
measure() {
    local name=$1
    shift
    local log="$work/$name.time"
    local status=0
    /usr/bin/time -v -o "$log" "$@" >/dev/null 2>"$work/$name.err" || status=$?
    if [ "$status" -gt 1 ]; then
        echo "$name: exit $status" >&2
        cat "$work/$name.err" >&2
        exit 2
    fi
    SECONDS_=$(awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$log")
    KB_=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
}

# `run NAME INVENTORY`: check and build; sets the figures of NAME.
declare -A figure
run() {
    local name=$1 inv=$2
    measure "$name-check" "$bin/cutover" check --quiet --format json --as-of "$as_of" "$inv"
    figure[$name.check_s]=$SECONDS_
    figure[$name.check_kb]=$KB_
    measure "$name-build" "$bin/cutover" build --quiet --allow-errors --as-of "$as_of" --out "$work/$name-site" "$inv"
    figure[$name.build_s]=$SECONDS_
    figure[$name.build_kb]=$KB_
    figure[$name.site_b]=$(du -sb "$work/$name-site" | cut -f1)
    figure[$name.files]=$(find "$work/$name-site" -type f | wc -l)
    local largest
    largest=$(find "$work/$name-site" -type f -printf '%s %P\n' | sort -n | tail -1)
    figure[$name.page_b]=${largest%% *}
    figure[$name.page]=${largest#* }
    rm -rf "$work/$name-site"
}

"$bin/examples/gen_inventory" --changes 2000 --systems 5000 --integrations 20000 --periods 100 --seed 1 --out "$work/benchmark" 2>/dev/null
run benchmark "$work/benchmark"
for shape in "${shapes[@]}"; do
    "$bin/examples/gen_pathological" "$shape" --out "$work/$shape"
    run "$shape" "$work/$shape"
    rm -rf "${work:?}/$shape"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) b = 0.01; printf "%.2f", a / b }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

printf '%-10s %9s %9s %9s %9s %10s %8s %11s  %s\n' \
    inventory check_s check_MB build_s build_MB site_MB files largest_KB "largest page"
over=0
for name in benchmark "${shapes[@]}"; do
    printf '%-10s %9s %9s %9s %9s %10s %8s %11s  %s\n' "$name" \
        "${figure[$name.check_s]}" "$(mb $((figure[$name.check_kb] * 1024)))" \
        "${figure[$name.build_s]}" "$(mb $((figure[$name.build_kb] * 1024)))" \
        "$(mb "${figure[$name.site_b]}")" "${figure[$name.files]}" \
        "$((figure[$name.page_b] / 1024))" "${figure[$name.page]}"
done
echo
echo "ratios to the benchmark inventory (at most $limit):"
printf '%-10s %9s %9s %9s %9s %10s %11s\n' inventory check_s check_MB build_s build_MB site_MB largest_KB
for name in "${shapes[@]}"; do
    row=()
    for key in check_s check_kb build_s build_kb site_b page_b; do
        r=$(ratio "${figure[$name.$key]}" "${figure[benchmark.$key]}")
        row+=("$r")
        if awk -v r="$r" -v l="$limit" 'BEGIN { exit !(r > l) }'; then
            over=1
        fi
    done
    printf '%-10s %9s %9s %9s %9s %10s %11s\n' "$name" "${row[@]}"
done
if [ "$over" -ne 0 ]; then
    echo "a figure is more than $limit times the benchmark inventory's" >&2
    exit 1
fi
