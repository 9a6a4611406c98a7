#!/usr/bin/env bash
# Benchmark of `cutover diff` against `cutover check` on the generated
# inventory of bench/check.sh, committed to a throwaway git repository
# with a second commit that moves one phase by a week. A diff checks both
# sides, so it should cost about two checks. Needs hyperfine and git.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --example gen_inventory
cargo build --release --quiet
bin=$PWD/target/release/cutover
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
git init -q -b main
"$OLDPWD/target/release/examples/gen_inventory" --changes 2000 --systems 5000 --integrations 20000 --periods 100 --seed 1 --out inventory > /dev/null
commit() { git add -A && git -c user.name=bench -c user.email=bench@example.com -c commit.gpgsign=false commit -q -m "$1"; }
commit base
# Move the first phase of the first file by seven days.
python3 - <<'PY'
import datetime, re
path = "inventory/changes/part-001.toml"
text = open(path).read()
m = re.search(r"^start = (\d{4})-(\d\d)-(\d\d)T", text, re.M)
day = datetime.date(int(m[1]), int(m[2]), int(m[3])) + datetime.timedelta(days=7)
open(path, "w").write(text[: m.start()] + f"start = {day.isoformat()}T" + text[m.end():])
PY
commit "move a phase"
# Both exit 1 (the generated plan has errors on purpose): -i ignores that.
hyperfine --warmup 1 --runs 10 -N -i \
    "$bin check inventory --as-of 2026-11-24 --format json" \
    "$bin diff HEAD~1 HEAD --as-of 2026-11-24 --format json"
