//! Render stage: `calendar.ics`, RFC 5545, produced from Rust (not a
//! template): CRLF line ends, lines folded at 75 octets, TEXT escaped, one
//! VTIMEZONE per zone used (built from the zone's real transitions over the
//! events' span), stable UIDs, and DTSTAMP from the as-of date, never the
//! clock, so the same plan gives the same bytes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, ZonedDateTime};

/// One event of the calendar.
pub struct Event {
    /// Stable, such as "chg-2041-phase-1@cutover".
    pub uid: String,
    pub summary: String,
    /// Plain text; newlines, commas and semicolons are escaped here.
    pub description: String,
    pub start: ZonedDateTime,
    pub end: ZonedDateTime,
    pub url: Option<String>,
    pub categories: Vec<String>,
    /// "TENTATIVE", "CONFIRMED" or "CANCELLED".
    pub status: Option<&'static str>,
}

/// Escapes a TEXT value (RFC 5545 section 3.3.11).
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line: at most 75 octets a line, continuation lines
/// start with one space, a UTF-8 sequence is never split.
fn fold(line: &str, out: &mut String) {
    let mut start = 0;
    let mut limit = 75;
    while line.len() - start > limit {
        let mut end = start + limit;
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        out.push_str(&line[start..end]);
        out.push_str("\r\n ");
        start = end;
        limit = 74;
    }
    out.push_str(&line[start..]);
    out.push_str("\r\n");
}

/// `+0100`, `-0430`, `+054500` (seconds only when there are any).
fn offset(offset: Offset) -> String {
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    let (h, m, sec) = (s / 3600, s % 3600 / 60, s % 60);
    if sec == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{sec:02}")
    }
}

fn utc(ts: Timestamp) -> String {
    ts.to_zoned_datetime(TimeZone::UTC)
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string()
}

/// A zone's IANA name, or None for UTC (written with `Z`).
fn zone_name(z: &ZonedDateTime) -> Option<&str> {
    match z.time_zone().iana_name() {
        Some("UTC" | "Etc/UTC") | None => None,
        Some(name) => Some(name),
    }
}

/// `DTSTART;TZID=Europe/Berlin:20261206T020000` or `DTSTART:20261206T010000Z`.
fn datetime(name: &str, z: &ZonedDateTime) -> String {
    match zone_name(z) {
        Some(zone) => format!("{name};TZID={zone}:{}", z.strftime("%Y%m%dT%H%M%S")),
        None => format!("{name}:{}", utc(z.timestamp())),
    }
}

/// The VTIMEZONE of `tz` covering [from, to]: the transition in force at
/// `from`, then every transition up to `to`.
fn vtimezone(name: &str, tz: &TimeZone, from: Timestamp, to: Timestamp, out: &mut String) {
    fold("BEGIN:VTIMEZONE", out);
    fold(&format!("TZID:{name}"), out);
    let mut transitions: Vec<(Timestamp, Offset, String, bool)> = Vec::new();
    if let Some(t) = tz
        .preceding(
            from.checked_add(jiff::SignedDuration::from_secs(1))
                .unwrap_or(from),
        )
        .next()
    {
        transitions.push((
            t.timestamp(),
            t.offset(),
            t.abbreviation().to_string(),
            t.dst().is_dst(),
        ));
    }
    for t in tz.following(from) {
        if t.timestamp() > to {
            break;
        }
        if transitions
            .last()
            .is_some_and(|last| last.0 == t.timestamp())
        {
            continue;
        }
        transitions.push((
            t.timestamp(),
            t.offset(),
            t.abbreviation().to_string(),
            t.dst().is_dst(),
        ));
    }
    if transitions.is_empty() {
        // No transition at all: one fixed offset.
        let info = tz.to_offset_info(from);
        fold("BEGIN:STANDARD", out);
        fold("DTSTART:19700101T000000", out);
        fold(&format!("TZOFFSETFROM:{}", offset(info.offset())), out);
        fold(&format!("TZOFFSETTO:{}", offset(info.offset())), out);
        fold(&format!("TZNAME:{}", text(info.abbreviation())), out);
        fold("END:STANDARD", out);
    }
    for (at, to_offset, abbreviation, dst) in transitions {
        let before = at
            .checked_sub(jiff::SignedDuration::from_secs(1))
            .map_or(to_offset, |b| tz.to_offset(b));
        let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
        // DTSTART is the local time just before the change, in the old offset.
        let local = at.to_zoned_datetime(TimeZone::fixed(before));
        fold(&format!("BEGIN:{kind}"), out);
        fold(&format!("DTSTART:{}", local.strftime("%Y%m%dT%H%M%S")), out);
        fold(&format!("TZOFFSETFROM:{}", offset(before)), out);
        fold(&format!("TZOFFSETTO:{}", offset(to_offset)), out);
        fold(&format!("TZNAME:{}", text(&abbreviation)), out);
        fold(&format!("END:{kind}"), out);
    }
    fold("END:VTIMEZONE", out);
}

/// The whole calendar.
pub fn calendar(title: &str, events: &[Event], dtstamp: Timestamp) -> String {
    let mut out = String::new();
    fold("BEGIN:VCALENDAR", &mut out);
    fold("VERSION:2.0", &mut out);
    fold(
        &format!("PRODID:-//cutover//{}//EN", text(title).replace("//", "/")),
        &mut out,
    );
    fold("CALSCALE:GREGORIAN", &mut out);
    fold("METHOD:PUBLISH", &mut out);
    fold(&format!("X-WR-CALNAME:{}", text(title)), &mut out);
    // Zones used, with the span of their events.
    let mut zones: BTreeMap<&str, (TimeZone, Timestamp, Timestamp)> = BTreeMap::new();
    for event in events {
        for z in [&event.start, &event.end] {
            if let Some(name) = zone_name(z) {
                let entry = zones
                    .entry(name)
                    .or_insert_with(|| (z.time_zone().clone(), z.timestamp(), z.timestamp()));
                entry.1 = entry.1.min(z.timestamp());
                entry.2 = entry.2.max(z.timestamp());
            }
        }
    }
    for (name, (tz, from, to)) in &zones {
        vtimezone(name, tz, *from, *to, &mut out);
    }
    let stamp = utc(dtstamp);
    for event in events {
        fold("BEGIN:VEVENT", &mut out);
        fold(&format!("UID:{}", text(&event.uid)), &mut out);
        fold(&format!("DTSTAMP:{stamp}"), &mut out);
        fold(&datetime("DTSTART", &event.start), &mut out);
        fold(&datetime("DTEND", &event.end), &mut out);
        fold(&format!("SUMMARY:{}", text(&event.summary)), &mut out);
        if !event.description.is_empty() {
            fold(
                &format!("DESCRIPTION:{}", text(&event.description)),
                &mut out,
            );
        }
        if let Some(url) = &event.url {
            let mut line = String::from("URL:");
            let _ = write!(line, "{}", url.replace(['\r', '\n'], ""));
            fold(&line, &mut out);
        }
        if !event.categories.is_empty() {
            let list: Vec<String> = event.categories.iter().map(|c| text(c)).collect();
            fold(&format!("CATEGORIES:{}", list.join(",")), &mut out);
        }
        if let Some(status) = event.status {
            fold(&format!("STATUS:{status}"), &mut out);
        }
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zoned(text: &str, zone: &str) -> ZonedDateTime {
        let local: jiff::civil::DateTime = text.parse().unwrap();
        local
            .to_zoned_datetime(jiff::tz::db().get(zone).unwrap())
            .unwrap()
    }

    fn event(uid: &str, start: ZonedDateTime, end: ZonedDateTime) -> Event {
        Event {
            uid: uid.into(),
            summary: "Upgrade, phase 1; the database".into(),
            description: "Line one\nLine \\two".into(),
            start,
            end,
            url: Some("https://intranet.example.com/changes/chg-1/runbook.html".into()),
            categories: vec!["change".into()],
            status: Some("CONFIRMED"),
        }
    }

    fn unfold(text: &str) -> String {
        text.replace("\r\n ", "")
    }

    #[test]
    fn lines_end_in_crlf_and_fit_75_octets() {
        let long = "Ümlaut-Überprüfung ".repeat(20);
        let mut e = event(
            "a@cutover",
            zoned("2026-12-06T02:00", "Europe/Berlin"),
            zoned("2026-12-06T04:00", "Europe/Berlin"),
        );
        e.description = long.clone();
        let ics = calendar("Acme, Inc.", &[e], "2026-11-24T00:00:00Z".parse().unwrap());
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(!ics.replace("\r\n", "").contains('\n'));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
        assert!(unfold(&ics).contains(&format!("DESCRIPTION:{}", long)));
        assert!(ics.contains("X-WR-CALNAME:Acme\\, Inc.\r\n"));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(text("a,b;c\\d\ne\r"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn events_carry_zones_and_utc_and_a_fixed_dtstamp() {
        let berlin = event(
            "b@cutover",
            zoned("2026-12-06T02:00", "Europe/Berlin"),
            zoned("2026-12-06T04:00", "Europe/Berlin"),
        );
        let ny = event(
            "n@cutover",
            zoned("2027-03-13T22:00", "America/New_York"),
            zoned("2027-03-14T04:00", "America/New_York"),
        );
        let z = "2027-01-01T00:00:00Z"
            .parse::<Timestamp>()
            .unwrap()
            .to_zoned_datetime(TimeZone::UTC);
        let u = event(
            "u@cutover",
            z.clone(),
            z.checked_add(jiff::Span::new().hours(1)).unwrap(),
        );
        let ics = unfold(&calendar(
            "T",
            &[berlin, ny, u],
            "2026-11-24T00:00:00Z".parse().unwrap(),
        ));
        assert!(ics.contains("DTSTART;TZID=Europe/Berlin:20261206T020000\r\n"));
        assert!(ics.contains("DTEND;TZID=America/New_York:20270314T040000\r\n"));
        assert!(ics.contains("DTSTART:20270101T000000Z\r\n"));
        assert_eq!(ics.matches("DTSTAMP:20261124T000000Z\r\n").count(), 3);
        // Zones sorted by name; UTC needs none.
        let ny_at = ics.find("TZID:America/New_York").unwrap();
        let berlin_at = ics.find("TZID:Europe/Berlin").unwrap();
        assert!(ny_at < berlin_at);
        assert_eq!(ics.matches("BEGIN:VTIMEZONE").count(), 2);
        // New York springs forward on 2027-03-14 at 02:00 EST.
        assert!(ics.contains("BEGIN:DAYLIGHT\r\nDTSTART:20270314T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\nEND:DAYLIGHT"));
        // Berlin in December: the autumn transition in force, to CET.
        assert!(ics.contains("TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET"));
    }

    #[test]
    fn an_empty_calendar_is_still_a_calendar() {
        let ics = calendar("T", &[], "2026-11-24T00:00:00Z".parse().unwrap());
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(!ics.contains("VEVENT"));
    }

    #[test]
    fn the_same_input_gives_the_same_bytes() {
        let make = || {
            calendar(
                "T",
                &[event(
                    "b@cutover",
                    zoned("2026-12-06T02:00", "Europe/Berlin"),
                    zoned("2026-12-06T04:00", "Europe/Berlin"),
                )],
                "2026-11-24T00:00:00Z".parse().unwrap(),
            )
        };
        assert_eq!(make(), make());
    }
}
