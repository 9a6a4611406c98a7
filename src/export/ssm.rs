//! Export stage: an AWS Systems Manager Change Calendar document (document
//! type `ChangeCalendar`, format `TEXT`): an iCalendar file of type
//! `DEFAULT_OPEN` whose events close the calendar. Every occurrence of a
//! freeze that overlaps the horizon is one event with UTC times, so the
//! calendar needs no recurrence rules or zone data of its own and closes
//! at exactly the instants `check` uses.

use serde_json::{Value, json};

use super::Exported;
use crate::model::{Model, Period};
use crate::schedule::sweep::Interval;

fn utc(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .unwrap_or(jiff::Timestamp::MIN)
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string()
}

/// The events of one freeze.
pub(super) fn entry(_model: &Model, period: &Period, occurrences: &[Interval]) -> Value {
    let summary = if period.hard || period.name.to_lowercase().contains("soft") {
        period.name.clone()
    } else {
        format!("{} (soft freeze)", period.name)
    };
    let events: Vec<Value> = occurrences
        .iter()
        .map(|o| {
            json!({
                "uid": format!("{}-{}@cutover", crate::model::slug(&period.id.value), utc(o.start)),
                "dtstart": utc(o.start),
                "dtend": utc(o.end),
                "summary": summary,
                "description": period.reason.clone().unwrap_or_default(),
            })
        })
        .collect();
    json!({"events": events})
}

/// RFC 5545 TEXT escaping.
fn text(value: &str) -> String {
    let mut out = String::new();
    for c in value.trim().chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line, folded at 75 octets (never inside a character).
fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// The calendar document.
pub(super) fn document(model: &Model, exported: &Exported) -> String {
    let mut out = String::new();
    let stamp = utc(exported.horizon.0.timestamp().as_second());
    // The product id of the documents SSM itself writes, which its
    // importer is known to accept.
    for line in [
        "BEGIN:VCALENDAR",
        "PRODID:-//AWS//Change Calendar 1.0//EN",
        "VERSION:2.0",
        "X-CALENDAR-TYPE:DEFAULT_OPEN",
    ] {
        push_line(&mut out, line);
    }
    push_line(
        &mut out,
        &format!(
            "X-WR-CALDESC:{}",
            text(&format!(
                "{}: freezes from cutover, {} to {}",
                model.config.site.title,
                exported.as_of,
                exported.horizon.1.date()
            ))
        ),
    );
    for entry in &exported.entries {
        for event in entry.native["events"].as_array().into_iter().flatten() {
            let field = |key: &str| event[key].as_str().unwrap_or("").to_string();
            push_line(&mut out, "BEGIN:VEVENT");
            push_line(&mut out, &format!("UID:{}", field("uid")));
            push_line(&mut out, &format!("DTSTAMP:{stamp}"));
            push_line(&mut out, &format!("DTSTART:{}", field("dtstart")));
            push_line(&mut out, &format!("DTEND:{}", field("dtend")));
            push_line(&mut out, &format!("SUMMARY:{}", text(&field("summary"))));
            if !field("description").is_empty() {
                push_line(
                    &mut out,
                    &format!("DESCRIPTION:{}", text(&field("description"))),
                );
            }
            push_line(&mut out, "END:VEVENT");
        }
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fold_at_75_octets_and_text_is_escaped() {
        let mut out = String::new();
        push_line(&mut out, &format!("SUMMARY:{}", "é".repeat(50)));
        assert!(out.split("\r\n").all(|l| l.len() <= 75), "{out}");
        assert_eq!(text("a; b, c\\d\ne"), "a\\; b\\, c\\\\d\\ne");
    }
}
