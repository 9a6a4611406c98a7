//! Render stage: `calendar.ics`, RFC 5545, produced from Rust (not a template).
//!
//! The file depends on its inputs alone: DTSTAMP is the as-of instant, zones
//! come in name order and events in the given order, so the same plan gives
//! the same bytes. Zone data comes from jiff's bundled tzdb: each VTIMEZONE
//! lists the zone's real transitions over the span its times use, one
//! sub-component per transition, so no client has to evaluate an RRULE.

use std::borrow::Borrow;
use std::borrow::Cow;
use std::collections::BTreeMap;

use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone, TimeZoneTransition};
use jiff::{SignedDuration, Timestamp, ZonedDateTime};

use crate::base::text::markup_safe;

/// One VEVENT.
#[derive(Clone, Debug)]
pub struct Event {
    /// Stable across builds, e.g. `chg-2041-phase-1@cutover`.
    pub uid: String,
    /// The SUMMARY line: the event's title (plain text).
    pub summary: String,
    /// Plain text; any character is allowed, escaping is done here.
    pub description: String,
    /// Written as local time with its zone's TZID, or in UTC with `Z`.
    pub start: ZonedDateTime,
    /// The event's end, written like `start`.
    pub end: ZonedDateTime,
    /// Absolute or relative URL.
    pub url: Option<String>,
    /// CATEGORIES, in order (escaped here).
    pub categories: Vec<String>,
    /// `TENTATIVE`, `CONFIRMED` or `CANCELLED`.
    pub status: Option<&'static str>,
    /// SEQUENCE, the revision clients compare (RFC 5545 §3.8.7.4).
    pub sequence: Option<u32>,
}

/// Longest content line in octets, line break excluded (RFC 5545 §3.1).
const LINE_OCTETS: usize = 75;

/// The whole VCALENDAR: PRODID with `title`, X-WR-CALNAME = title, one
/// VTIMEZONE per IANA zone used by any event start/end (events in UTC are
/// written with `Z` and need none), then the VEVENTs in the given order.
/// DTSTAMP of every event = `dtstamp` (the as-of instant, never the clock),
/// so output is byte-identical for the same input. Without events the
/// calendar holds a lone UTC VTIMEZONE, since RFC 5545 requires a component.
pub fn calendar(title: &str, events: &[Event], dtstamp: Timestamp) -> String {
    let mut part = Events::default();
    for event in events {
        part.push(event, dtstamp);
    }
    let mut out = Vec::with_capacity(part.text.len() + 4096);
    // Writing to memory cannot fail, and every piece is UTF-8.
    let _ = write_calendar(&mut out, title, std::slice::from_ref(&part));
    String::from_utf8(out).unwrap_or_default()
}

/// VEVENTs written apart, with the spans of the zones they use: the pieces
/// of a calendar made on any core and joined in order by
/// [`write_calendar`], which needs every zone before the first event.
#[derive(Default, Clone)]
pub struct Events {
    /// The VEVENTs, folded, in the order pushed.
    text: String,
    /// How many.
    count: usize,
    /// Zones written with a TZID, by name.
    zones: BTreeMap<String, ZoneSpan>,
}

impl Events {
    /// Writes `event` after those pushed before, DTSTAMP = `dtstamp`.
    pub fn push(&mut self, event: &Event, dtstamp: Timestamp) {
        for at in [&event.start, &event.end] {
            let Some(name) = tzid(at) else { continue };
            let ts = at.timestamp();
            match self.zones.get_mut(name) {
                Some(span) => {
                    span.first = span.first.min(ts);
                    span.last = span.last.max(ts);
                }
                None => {
                    self.zones.insert(
                        name.to_string(),
                        ZoneSpan {
                            tz: at.time_zone().clone(),
                            first: ts,
                            last: ts,
                        },
                    );
                }
            }
        }
        let start = self.text.len();
        push_vevent(&mut self.text, event, dtstamp);
        // As every page of the site: no character that XML or HTML refuses
        // (TEXT values drop ASCII controls; this catches the rest).
        if let Cow::Owned(clean) = markup_safe(&self.text[start..]) {
            self.text.truncate(start);
            self.text.push_str(&clean);
        }
        self.count += 1;
    }
}

/// The VCALENDAR of [`calendar`] with the events of `parts`, part by part,
/// written to `out` (the events are never copied into one text).
pub fn write_calendar<P: Borrow<Events>>(
    out: &mut dyn std::io::Write,
    title: &str,
    parts: &[P],
) -> std::io::Result<()> {
    let parts: Vec<&Events> = parts.iter().map(Borrow::borrow).collect();
    let mut head = String::new();
    let title = text(title);
    push_line(&mut head, "BEGIN:VCALENDAR");
    push_line(&mut head, "VERSION:2.0");
    push_line(&mut head, &format!("PRODID:-//cutover//{title}//EN"));
    push_line(&mut head, "CALSCALE:GREGORIAN");
    push_line(&mut head, "METHOD:PUBLISH");
    push_line(&mut head, &format!("X-WR-CALNAME:{title}"));
    let mut zones: BTreeMap<&str, ZoneSpan> = BTreeMap::new();
    for (name, span) in parts.iter().flat_map(|p| &p.zones) {
        zones
            .entry(name)
            .and_modify(|z| {
                z.first = z.first.min(span.first);
                z.last = z.last.max(span.last);
            })
            .or_insert_with(|| span.clone());
    }
    if parts.iter().all(|p| p.count == 0) {
        // RFC 5545 wants at least one component in a VCALENDAR; an unused
        // UTC zone is the one that means nothing to a client.
        let epoch = Timestamp::UNIX_EPOCH;
        zones.insert(
            "UTC",
            ZoneSpan {
                tz: TimeZone::UTC,
                first: epoch,
                last: epoch,
            },
        );
    }
    for (name, span) in zones {
        push_vtimezone(&mut head, name, &span);
    }
    out.write_all(markup_safe(&head).as_bytes())?;
    for part in &parts {
        out.write_all(part.text.as_bytes())?;
    }
    out.write_all(b"END:VCALENDAR\r\n")
}

fn push_vevent(out: &mut String, event: &Event, dtstamp: Timestamp) {
    push_line(out, "BEGIN:VEVENT");
    push_line(out, &format!("UID:{}", text(&event.uid)));
    push_line(out, &format!("DTSTAMP:{}", utc(dtstamp)));
    push_line(out, &date_time("DTSTART", &event.start));
    push_line(out, &date_time("DTEND", &event.end));
    if let Some(sequence) = event.sequence {
        push_line(out, &format!("SEQUENCE:{sequence}"));
    }
    push_line(out, &format!("SUMMARY:{}", text(&event.summary)));
    if !event.description.is_empty() {
        push_line(out, &format!("DESCRIPTION:{}", text(&event.description)));
    }
    if let Some(url) = &event.url {
        push_line(out, &format!("URL:{}", uri(url)));
    }
    if !event.categories.is_empty() {
        let list: Vec<String> = event.categories.iter().map(|c| text(c)).collect();
        push_line(out, &format!("CATEGORIES:{}", list.join(",")));
    }
    if let Some(status) = event.status {
        push_line(out, &format!("STATUS:{status}"));
    }
    push_line(out, "END:VEVENT");
}

/// A DATE-TIME property: local time with TZID, or UTC with `Z` (see `tzid`).
fn date_time(name: &str, at: &ZonedDateTime) -> String {
    match tzid(at) {
        Some(id) => format!("{name};TZID={}:{}", param(id), local(at.datetime())),
        None => format!("{name}:{}", utc(at.timestamp())),
    }
}

/// The TZID to write `at` with, or `None` to write it in UTC: for UTC
/// itself and its aliases, for zones without an IANA name (fixed offsets),
/// and for the second occurrence of a local time repeated when clocks go
/// back, which a TZID cannot express (RFC 5545 §3.3.5 takes the first).
fn tzid(at: &ZonedDateTime) -> Option<&str> {
    let tz = at.time_zone();
    let name = tz.iana_name()?;
    let utc_alias =
        tz.following(Timestamp::MIN).next().is_none() && tz.to_offset(at.timestamp()).is_zero();
    let first = tz.to_ambiguous_timestamp(at.datetime()).earlier().ok() == Some(at.timestamp());
    (!utc_alias && first).then_some(name)
}

/// The instants each zone must cover, first to last.
#[derive(Clone)]
struct ZoneSpan {
    tz: TimeZone,
    first: Timestamp,
    last: Timestamp,
}

/// One STANDARD or DAYLIGHT sub-component.
struct Observance {
    daylight: bool,
    /// Local time of the change, in the `from` offset.
    start: DateTime,
    from: Offset,
    to: Offset,
    name: String,
}

fn push_vtimezone(out: &mut String, name: &str, span: &ZoneSpan) {
    push_line(out, "BEGIN:VTIMEZONE");
    push_line(out, &format!("TZID:{}", text(name)));
    for o in observances(&span.tz, span.first, span.last) {
        let kind = if o.daylight { "DAYLIGHT" } else { "STANDARD" };
        push_line(out, &format!("BEGIN:{kind}"));
        push_line(out, &format!("DTSTART:{}", local(o.start)));
        push_line(out, &format!("TZOFFSETFROM:{}", utc_offset(o.from)));
        push_line(out, &format!("TZOFFSETTO:{}", utc_offset(o.to)));
        push_line(out, &format!("TZNAME:{}", text(&o.name)));
        push_line(out, &format!("END:{kind}"));
    }
    push_line(out, "END:VTIMEZONE");
}

/// The transition in force at `first`, then every transition up to and
/// including `last`. A zone with no transition in force at `first` (one
/// without any, or a time before its first) starts with its offset at
/// `first`, as of 1970 or `first` if earlier.
fn observances(tz: &TimeZone, first: Timestamp, last: Timestamp) -> Vec<Observance> {
    let mut list = Vec::new();
    // `preceding` is strictly before its argument; a transition exactly
    // at `first` is the one in force there.
    let just_after = first
        .checked_add(SignedDuration::from_nanos(1))
        .unwrap_or(first);
    let mut cursor = first;
    if let Some(t) = tz.preceding(just_after).next() {
        cursor = t.timestamp();
        list.push(transition(tz, &t));
    } else {
        let info = tz.to_offset_info(first);
        let offset = info.offset();
        let epoch = jiff::civil::date(1970, 1, 1).at(0, 0, 0, 0);
        list.push(Observance {
            daylight: false,
            start: epoch.min(offset.to_datetime(first)),
            from: offset,
            to: offset,
            name: info.abbreviation().to_string(),
        });
    }
    for t in tz.following(cursor) {
        if t.timestamp() > last {
            break;
        }
        list.push(transition(tz, &t));
    }
    list
}

fn transition(tz: &TimeZone, t: &TimeZoneTransition) -> Observance {
    let at = t.timestamp();
    let before = tz.to_offset_info(at.checked_sub(SignedDuration::from_nanos(1)).unwrap_or(at));
    let (from, to) = (before.offset(), t.offset());
    let dst = t.dst().is_dst();
    // tzdb marks Ireland's winter (and Morocco's Ramadan) as DST with the
    // smaller offset, "negative DST". Clients take DAYLIGHT to be the
    // advanced offset, so a DST flag that flips against the direction of
    // the clocks is read the other way round, as tzdb's rearguard data does.
    let against_clocks = if dst { to < from } else { to > from };
    let daylight = if dst != before.dst().is_dst() && against_clocks {
        !dst
    } else {
        dst
    };
    Observance {
        daylight,
        start: from.to_datetime(at),
        from,
        to,
        name: t.abbreviation().to_string(),
    }
}

/// `YYYYMMDDTHHMMSS`; sub-second digits are dropped, as DATE-TIME has none.
fn local(dt: DateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

fn utc(ts: Timestamp) -> String {
    format!("{}Z", local(Offset::UTC.to_datetime(ts)))
}

/// `+HHMM`, or `+HHMMSS` for the odd historical offset with seconds.
fn utc_offset(offset: Offset) -> String {
    let total = offset.seconds();
    let sign = if total < 0 { '-' } else { '+' };
    let total = total.unsigned_abs();
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    if s == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{s:02}")
    }
}

/// TEXT value (RFC 5545 §3.3.11): `\` `;` `,` escaped, every line break
/// (`\r\n`, `\n`, `\r`) as `\n`, other ASCII control characters but tab
/// dropped because TEXT cannot hold them.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_ascii_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value: quoted when it holds `;`, `:` or `,`; DQUOTE and
/// control characters, which no parameter value can hold, dropped.
fn param(value: &str) -> String {
    let clean: String = value
        .chars()
        .filter(|c| *c != '"' && !c.is_ascii_control())
        .collect();
    if clean.contains([';', ':', ',']) {
        format!("\"{clean}\"")
    } else {
        clean
    }
}

/// A URI value: not escaped like TEXT, but spaces and control characters
/// (a line break would end the property) are percent-encoded.
fn uri(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c == ' ' || c.is_ascii_control() {
            out.push_str(&format!("%{:02X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Appends one content line with its CRLF, folded so that no physical line
/// exceeds 75 octets; a fold never splits a UTF-8 sequence, and each
/// continuation starts with one space (RFC 5545 §3.1).
fn push_line(out: &mut String, line: &str) {
    let mut rest = line;
    let mut room = LINE_OCTETS;
    while rest.len() > room {
        let mut cut = room;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        room = LINE_OCTETS - 1;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> ZonedDateTime {
        s.parse().unwrap()
    }

    const LONG: &str =
        "Überprüfung der Replikation – 数据库迁移检查 – 🚀 then wait; check, repeat \\ done. ";

    fn event(uid: &str, start: &str, end: &str) -> Event {
        Event {
            uid: uid.into(),
            summary: format!("Summary of {uid}"),
            description: String::new(),
            start: at(start),
            end: at(end),
            url: None,
            categories: Vec::new(),
            status: None,
            sequence: None,
        }
    }

    fn sample() -> Vec<Event> {
        vec![
            Event {
                uid: "chg-2041-phase-1@cutover".into(),
                summary: "CHG-2041: Move DB; phase 1".into(),
                description: "Cut over the primary, then the replica.\nRunbook: C:\\ops\\run"
                    .into(),
                start: at("2026-12-06T02:00[Europe/Berlin]"),
                end: at("2026-12-06T04:30[Europe/Berlin]"),
                url: Some("https://ops.example/changes/chg-2041/runbook.html".into()),
                categories: vec!["change".into(), "db, primary".into()],
                status: Some("CONFIRMED"),
                sequence: Some(42),
            },
            Event {
                uid: "chg-2042-phase-1@cutover".into(),
                summary: "CHG-2042: Über-Migration".into(),
                description: LONG.repeat(2),
                start: at("2027-03-14T00:30[America/New_York]"),
                end: at("2027-03-14T04:00[America/New_York]"),
                url: Some("changes/chg-2042/runbook.html".into()),
                categories: vec!["monitoring".into()],
                status: Some("TENTATIVE"),
                sequence: None,
            },
            event(
                "chg-2043-phase-1@cutover",
                "2027-01-10T09:00[UTC]",
                "2027-01-10T10:00[UTC]",
            ),
        ]
    }

    fn stamp() -> Timestamp {
        "2026-12-01T00:00:00Z".parse().unwrap()
    }

    /// Events made in parts (on any core) and joined give the calendar of
    /// all of them: each zone once, spanning every part's times, and the
    /// events in order; parts without events still give a calendar.
    #[test]
    fn parts_joined_are_the_calendar_of_all_their_events() {
        let mut events = sample();
        // Berlin again, in summer and in another part: the zone's one
        // VTIMEZONE must cover both parts' times.
        events.push(event(
            "chg-2044-phase-1@cutover",
            "2027-07-01T02:00[Europe/Berlin]",
            "2027-07-01T03:00[Europe/Berlin]",
        ));
        let whole = calendar("Ops", &events, stamp());
        let mut parts: Vec<Events> = Vec::new();
        for chunk in [&events[..1], &[], &events[1..3], &events[3..]] {
            let mut part = Events::default();
            for event in chunk {
                part.push(event, stamp());
            }
            parts.push(part);
        }
        let mut joined = Vec::new();
        write_calendar(&mut joined, "Ops", &parts).unwrap();
        assert_eq!(String::from_utf8(joined).unwrap(), whole);
        assert_eq!(whole.matches("TZID:Europe/Berlin\r\n").count(), 1);
        // Summer time of 2027 is in Berlin's zone: the span reached the
        // last part.
        assert!(whole.contains("DTSTART:20270328T020000"), "{whole}");

        let mut empty = Vec::new();
        write_calendar(&mut empty, "Ops", &[Events::default(), Events::default()]).unwrap();
        assert_eq!(
            String::from_utf8(empty).unwrap(),
            calendar("Ops", &[], stamp())
        );
    }

    /// Joins folded lines back into content lines.
    fn unfold(ics: &str) -> Vec<String> {
        ics.replace("\r\n ", "")
            .split("\r\n")
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }

    fn unescape(value: &str) -> String {
        let mut out = String::new();
        let mut chars = value.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some('n' | 'N') => out.push('\n'),
                    Some(other) => out.push(other),
                    None => {}
                },
                c => out.push(c),
            }
        }
        out
    }

    /// The sub-components of the VTIMEZONE of `tzid`, one string each, as
    /// `KIND DTSTART FROM TO NAME`.
    fn observances_of(ics: &str, tzid: &str) -> Vec<String> {
        let lines = unfold(ics);
        let start = lines
            .iter()
            .position(|l| *l == format!("TZID:{tzid}"))
            .unwrap();
        let mut found = Vec::new();
        let mut current = Vec::new();
        for line in &lines[start + 1..] {
            if line == "END:VTIMEZONE" {
                break;
            }
            if let Some(kind) = line.strip_prefix("BEGIN:") {
                current = vec![kind.to_string()];
            } else if line.starts_with("END:") {
                found.push(current.join(" "));
            } else {
                current.push(line.split_once(':').unwrap().1.to_string());
            }
        }
        found
    }

    #[test]
    fn small_calendar_is_exact() {
        let ics = calendar("Ops, changes; all", &sample(), stamp());
        let expected = concat!(
            "BEGIN:VCALENDAR\r\n",
            "VERSION:2.0\r\n",
            "PRODID:-//cutover//Ops\\, changes\\; all//EN\r\n",
            "CALSCALE:GREGORIAN\r\n",
            "METHOD:PUBLISH\r\n",
            "X-WR-CALNAME:Ops\\, changes\\; all\r\n",
            "BEGIN:VTIMEZONE\r\n",
            "TZID:America/New_York\r\n",
            "BEGIN:STANDARD\r\n",
            "DTSTART:20261101T020000\r\n",
            "TZOFFSETFROM:-0400\r\n",
            "TZOFFSETTO:-0500\r\n",
            "TZNAME:EST\r\n",
            "END:STANDARD\r\n",
            "BEGIN:DAYLIGHT\r\n",
            "DTSTART:20270314T020000\r\n",
            "TZOFFSETFROM:-0500\r\n",
            "TZOFFSETTO:-0400\r\n",
            "TZNAME:EDT\r\n",
            "END:DAYLIGHT\r\n",
            "END:VTIMEZONE\r\n",
            "BEGIN:VTIMEZONE\r\n",
            "TZID:Europe/Berlin\r\n",
            "BEGIN:STANDARD\r\n",
            "DTSTART:20261025T030000\r\n",
            "TZOFFSETFROM:+0200\r\n",
            "TZOFFSETTO:+0100\r\n",
            "TZNAME:CET\r\n",
            "END:STANDARD\r\n",
            "END:VTIMEZONE\r\n",
            "BEGIN:VEVENT\r\n",
            "UID:chg-2041-phase-1@cutover\r\n",
            "DTSTAMP:20261201T000000Z\r\n",
            "DTSTART;TZID=Europe/Berlin:20261206T020000\r\n",
            "DTEND;TZID=Europe/Berlin:20261206T043000\r\n",
            "SEQUENCE:42\r\n",
            "SUMMARY:CHG-2041: Move DB\\; phase 1\r\n",
            "DESCRIPTION:Cut over the primary\\, then the replica.\\nRunbook: C:\\\\ops\\\\run\r\n",
            "URL:https://ops.example/changes/chg-2041/runbook.html\r\n",
            "CATEGORIES:change,db\\, primary\r\n",
            "STATUS:CONFIRMED\r\n",
            "END:VEVENT\r\n",
            "BEGIN:VEVENT\r\n",
            "UID:chg-2042-phase-1@cutover\r\n",
            "DTSTAMP:20261201T000000Z\r\n",
            "DTSTART;TZID=America/New_York:20270314T003000\r\n",
            "DTEND;TZID=America/New_York:20270314T040000\r\n",
            "SUMMARY:CHG-2042: Über-Migration\r\n",
            "DESCRIPTION:Überprüfung der Replikation – 数据库迁移检查 – \r\n",
            " 🚀 then wait\\; check\\, repeat \\\\ done. Überprüfung der Replikation –\r\n",
            "  数据库迁移检查 – 🚀 then wait\\; check\\, repeat \\\\ done. \r\n",
            "URL:changes/chg-2042/runbook.html\r\n",
            "CATEGORIES:monitoring\r\n",
            "STATUS:TENTATIVE\r\n",
            "END:VEVENT\r\n",
            "BEGIN:VEVENT\r\n",
            "UID:chg-2043-phase-1@cutover\r\n",
            "DTSTAMP:20261201T000000Z\r\n",
            "DTSTART:20270110T090000Z\r\n",
            "DTEND:20270110T100000Z\r\n",
            "SUMMARY:Summary of chg-2043-phase-1@cutover\r\n",
            "END:VEVENT\r\n",
            "END:VCALENDAR\r\n",
        );
        assert_eq!(ics, expected);
    }

    #[test]
    fn every_line_ends_with_crlf() {
        let ics = calendar("Ops", &sample(), stamp());
        assert!(ics.ends_with("\r\n"));
        assert_eq!(ics.matches('\n').count(), ics.matches("\r\n").count());
        assert_eq!(ics.matches('\r').count(), ics.matches("\r\n").count());
    }

    #[test]
    fn long_unicode_description_folds_at_75_octets_and_unfolds_to_the_text() {
        let mut long = event(
            "long@cutover",
            "2027-01-10T09:00[UTC]",
            "2027-01-10T10:00[UTC]",
        );
        long.description = format!("{}\nline two\r\nline three", LONG.repeat(9));
        let ics = calendar("Ops", &[long.clone()], stamp());
        for line in ics.split("\r\n") {
            assert!(line.len() <= LINE_OCTETS, "{} octets: {line}", line.len());
        }
        // The description alone takes well over ten physical lines.
        assert!(ics.split("\r\n").count() > 20);
        let description = unfold(&ics)
            .into_iter()
            .find_map(|l| l.strip_prefix("DESCRIPTION:").map(str::to_string))
            .unwrap();
        assert_eq!(
            unescape(&description),
            long.description.replace("\r\n", "\n")
        );
    }

    #[test]
    fn fold_never_splits_a_multibyte_character() {
        for pad in 0..4 {
            let value = format!("{}{}", "a".repeat(pad), "🚀".repeat(60));
            let mut out = String::new();
            push_line(&mut out, &value);
            for line in out.split("\r\n") {
                assert!(line.len() <= LINE_OCTETS);
            }
            assert_eq!(out.replace("\r\n ", ""), format!("{value}\r\n"));
        }
    }

    #[test]
    fn text_escapes_backslash_semicolon_comma_and_line_breaks() {
        assert_eq!(
            text("a\\b;c,d\ne\r\nf\rg\th\u{7}i"),
            "a\\\\b\\;c\\,d\\ne\\nf\\ng\thi"
        );
        assert_eq!(text("plain: ü 🚀"), "plain: ü 🚀");
    }

    #[test]
    fn offsets_with_seconds_keep_them() {
        let offset = |s| Offset::from_seconds(s).unwrap();
        assert_eq!(utc_offset(offset(3208)), "+005328");
        assert_eq!(utc_offset(offset(-17762)), "-045602");
        assert_eq!(utc_offset(offset(-16200)), "-0430");
        assert_eq!(utc_offset(Offset::UTC), "+0000");
    }

    #[test]
    fn url_keeps_its_characters_but_cannot_break_the_line() {
        assert_eq!(
            uri("https://x.example/a;b,c?q=1&r=2"),
            "https://x.example/a;b,c?q=1&r=2"
        );
        assert_eq!(uri("a b\r\nc"), "a%20b%0D%0Ac");
    }

    #[test]
    fn berlin_offsets_around_2027_03_28() {
        let ics = calendar(
            "Ops",
            &[event(
                "dst@cutover",
                "2027-03-28T01:00[Europe/Berlin]",
                "2027-03-28T05:00[Europe/Berlin]",
            )],
            stamp(),
        );
        assert_eq!(
            observances_of(&ics, "Europe/Berlin"),
            [
                "STANDARD 20261025T030000 +0200 +0100 CET",
                "DAYLIGHT 20270328T020000 +0100 +0200 CEST",
            ]
        );
        assert!(ics.contains("DTSTART;TZID=Europe/Berlin:20270328T010000\r\n"));
        assert!(ics.contains("DTEND;TZID=Europe/Berlin:20270328T050000\r\n"));
    }

    #[test]
    fn new_york_offsets_around_2027_03_14() {
        let ics = calendar("Ops", &sample(), stamp());
        assert_eq!(
            observances_of(&ics, "America/New_York"),
            [
                "STANDARD 20261101T020000 -0400 -0500 EST",
                "DAYLIGHT 20270314T020000 -0500 -0400 EDT",
            ]
        );
    }

    #[test]
    fn span_over_a_year_lists_every_transition() {
        let ics = calendar(
            "Ops",
            &[
                event(
                    "a@cutover",
                    "2026-12-06T02:00[Europe/Berlin]",
                    "2026-12-06T04:00[Europe/Berlin]",
                ),
                event(
                    "b@cutover",
                    "2027-11-06T02:00[Europe/Berlin]",
                    "2027-11-06T04:00[Europe/Berlin]",
                ),
            ],
            stamp(),
        );
        assert_eq!(
            observances_of(&ics, "Europe/Berlin"),
            [
                "STANDARD 20261025T030000 +0200 +0100 CET",
                "DAYLIGHT 20270328T020000 +0100 +0200 CEST",
                "STANDARD 20271031T030000 +0200 +0100 CET",
            ]
        );
    }

    #[test]
    fn start_on_a_transition_needs_no_earlier_one() {
        // 03:00 CEST on 2027-03-28 is the instant Berlin springs forward.
        let ics = calendar(
            "Ops",
            &[event(
                "edge@cutover",
                "2027-03-28T03:00[Europe/Berlin]",
                "2027-03-28T04:00[Europe/Berlin]",
            )],
            stamp(),
        );
        assert_eq!(
            observances_of(&ics, "Europe/Berlin"),
            ["DAYLIGHT 20270328T020000 +0100 +0200 CEST"]
        );
    }

    #[test]
    fn negative_dst_in_dublin_reads_as_summer_daylight() {
        let ics = calendar(
            "Ops",
            &[event(
                "ie@cutover",
                "2026-12-20T10:00[Europe/Dublin]",
                "2027-04-01T12:00[Europe/Dublin]",
            )],
            stamp(),
        );
        assert_eq!(
            observances_of(&ics, "Europe/Dublin"),
            [
                "STANDARD 20261025T020000 +0100 +0000 GMT",
                "DAYLIGHT 20270328T010000 +0000 +0100 IST",
            ]
        );
    }

    #[test]
    fn zone_without_transitions_gets_one_fixed_standard() {
        let ics = calendar(
            "Ops",
            &[event(
                "fixed@cutover",
                "2027-01-10T09:00[Etc/GMT-3]",
                "2027-01-10T10:00[Etc/GMT-3]",
            )],
            stamp(),
        );
        assert_eq!(
            observances_of(&ics, "Etc/GMT-3"),
            ["STANDARD 19700101T000000 +0300 +0300 +03"]
        );
        assert!(ics.contains("DTSTART;TZID=Etc/GMT-3:20270110T090000\r\n"));
    }

    #[test]
    fn utc_aliases_and_fixed_offsets_are_written_with_z() {
        let mut fixed = event(
            "fixed@cutover",
            "2027-01-10T09:00[Etc/UTC]",
            "2027-01-10T10:00[UTC]",
        );
        fixed.end = fixed
            .end
            .timestamp()
            .to_zoned_datetime(TimeZone::fixed(jiff::tz::offset(5)));
        let ics = calendar("Ops", &[fixed], stamp());
        assert!(!ics.contains("VTIMEZONE"));
        assert!(ics.contains("DTSTART:20270110T090000Z\r\n"));
        assert!(ics.contains("DTEND:20270110T100000Z\r\n"));
    }

    #[test]
    fn repeated_local_time_is_written_in_utc_when_it_is_the_second() {
        // 02:30 happens twice in Berlin on 2026-10-25; a TZID means the first.
        let first = at("2026-10-25T02:30+02:00[Europe/Berlin]");
        let second = at("2026-10-25T02:30+01:00[Europe/Berlin]");
        assert_eq!(
            date_time("DTSTART", &first),
            "DTSTART;TZID=Europe/Berlin:20261025T023000"
        );
        assert_eq!(date_time("DTEND", &second), "DTEND:20261025T013000Z");
    }

    #[test]
    fn zones_are_sorted_by_name_and_output_is_deterministic() {
        let mut events = sample();
        events.reverse();
        let one = calendar("Ops", &events, stamp());
        let two = calendar("Ops", &events, stamp());
        assert_eq!(one, two);
        let ny = one.find("TZID:America/New_York").unwrap();
        let berlin = one.find("TZID:Europe/Berlin").unwrap();
        assert!(ny < berlin);
        // Events keep the given order.
        assert!(one.find("UID:chg-2043").unwrap() < one.find("UID:chg-2041").unwrap());
    }

    #[test]
    fn dtstamp_is_the_given_instant() {
        let ics = calendar("Ops", &sample(), "2030-05-06T07:08:09.5Z".parse().unwrap());
        assert_eq!(ics.matches("DTSTAMP:20300506T070809Z\r\n").count(), 3);
    }

    #[test]
    fn empty_calendar_is_still_a_vcalendar() {
        assert_eq!(
            calendar("Ops", &[], stamp()),
            concat!(
                "BEGIN:VCALENDAR\r\n",
                "VERSION:2.0\r\n",
                "PRODID:-//cutover//Ops//EN\r\n",
                "CALSCALE:GREGORIAN\r\n",
                "METHOD:PUBLISH\r\n",
                "X-WR-CALNAME:Ops\r\n",
                "BEGIN:VTIMEZONE\r\n",
                "TZID:UTC\r\n",
                "BEGIN:STANDARD\r\n",
                "DTSTART:19700101T000000\r\n",
                "TZOFFSETFROM:+0000\r\n",
                "TZOFFSETTO:+0000\r\n",
                "TZNAME:UTC\r\n",
                "END:STANDARD\r\n",
                "END:VTIMEZONE\r\n",
                "END:VCALENDAR\r\n",
            )
        );
    }
}
