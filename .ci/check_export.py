"""Cross-checks `cutover export argocd|gitlab --format json` with croniter.

For every exported entry, the cron expressions are expanded by croniter in
the entry's time zone over the export's horizon, and the instants must be
exactly cutover's own occurrences of the period (the ones the JSON lists):

- argocd: `schedule` fires at every occurrence's start and nowhere else in
  the horizon; start + `duration` (Go syntax) is the occurrence's end.
- gitlab: `freeze_start` fires at every start, `freeze_end` at every end
  (between the first and the last end) and nowhere else.

Usage: check_export.py FILE.json [FILE.json ...]; exit 1 on any mismatch.
"""

import datetime as dt
import json
import re
import sys
from zoneinfo import ZoneInfo

from croniter import croniter

SECOND = dt.timedelta(seconds=1)


def instant(text):
    return dt.datetime.fromisoformat(text)


def fires(expression, zone, start, end):
    """Instants (aware) at which `expression` fires in `zone`, start <= t < end."""
    tz = ZoneInfo(zone)
    it = croniter(expression, (start - SECOND).astimezone(tz))
    out = []
    while True:
        t = it.get_next(dt.datetime)
        if t >= end:
            return out
        if t >= start:
            out.append(t)


def go_duration(text):
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?", text)
    if not match or not text:
        raise ValueError(f"not a Go duration of hours and minutes: {text!r}")
    hours, minutes = (int(g) if g else 0 for g in match.groups())
    return dt.timedelta(hours=hours, minutes=minutes)


def same(label, ours, theirs, problems):
    a = [t.timestamp() for t in ours]
    b = [t.timestamp() for t in theirs]
    if a != b:
        extra = [t.isoformat() for t in theirs if t.timestamp() not in a][:3]
        missed = [t.isoformat() for t in ours if t.timestamp() not in b][:3]
        problems.append(f"{label}: croniter differs (extra {extra}, missed {missed})")


def check(document):
    problems = []
    target = document["target"]
    start = instant(document["horizon"]["from"])
    end = instant(document["horizon"]["to"])
    checked = 0
    for entry in document["entries"]:
        label = f"{target} {entry['kind']} {entry['period']}"
        export = entry["export"]
        occurrences = [(instant(o["start"]), instant(o["end"])) for o in entry["occurrences"]]
        if not occurrences:
            problems.append(f"{label}: no occurrence listed")
            continue
        starts = [s for s, _ in occurrences]
        ends = [e for _, e in occurrences]
        if target == "argocd":
            zone = export["timeZone"]
            same(f"{label} schedule {export['schedule']!r}", starts,
                 fires(export["schedule"], zone, start, end), problems)
            length = go_duration(export["duration"])
            for s, e in occurrences:
                if s + length != e:
                    problems.append(f"{label}: {s.isoformat()} + {export['duration']} is not {e.isoformat()}")
        elif target == "gitlab":
            zone = export["cron_timezone"]
            same(f"{label} freeze_start {export['freeze_start']!r}", starts,
                 fires(export["freeze_start"], zone, start, end), problems)
            same(f"{label} freeze_end {export['freeze_end']!r}", ends,
                 fires(export["freeze_end"], zone, ends[0], ends[-1] + SECOND), problems)
        else:
            problems.append(f"{label}: no cron to check for target {target}")
        checked += len(occurrences)
    return checked, problems


def main(paths):
    failed = False
    for path in paths:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
        checked, problems = check(document)
        for problem in problems:
            print(f"{path}: {problem}")
        if not document["entries"]:
            print(f"{path}: nothing was exported, so nothing was checked")
            failed = True
        failed = failed or bool(problems)
        print(f"{path}: {len(document['entries'])} {document['target']} entries, "
              f"{checked} occurrences equal croniter's" if not problems else f"{path}: FAILED")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
