//! Render stage: the events of `calendar.ics` (every change) and of
//! `calendar/<audience>.ics` (the changes that impact one audience), for
//! Outlook, Google and Apple Calendar, which read them as RFC 5545 and 5546
//! say. [`crate::site::ics`] writes them.
//!
//! - One event per phase and one per monitoring period. Cancelled changes
//!   stay, as `STATUS:CANCELLED`, so that subscribers learn they are off;
//!   drafts and proposed changes are `TENTATIVE`, the others `CONFIRMED`,
//!   and every summary but an approved one's starts with its status.
//! - DESCRIPTION is the notice in short, in plain text like the
//!   `announcement.txt` (Markdown rendered to text by the same renderer: no
//!   markup, no hard line breaks of the TOML): the status, which phase and
//!   when (the reader's zone first), what changes, what users notice, the
//!   downtime, the contact and the notice's address.
//! - `URL` only with `site.base_url` (absolute); never a relative one.
//! - UID: `<change>-phase-<name>@<site>` and `<change>-monitoring@<site>`,
//!   see [`uid_site`] and [`phase_uids`]: stable when phases move or are
//!   inserted, unique across organisations.
//! - SEQUENCE: see [`sequence`].

use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime};

use crate::check::Checked;
use crate::model::{Change, Model, Status, slug};
use crate::site::ics;
use crate::site::markdown::to_text;
use crate::site::notice::{reader_zone, when_text};
use crate::site::status::notice;
use crate::site::views::ChangeCtx;

/// The right-hand side of every UID: `site.id`, else the host and path of
/// `site.base_url` (`intranet.example.com/changes`), else the slug of the
/// title with `.cutover` (unique only as far as the title is).
pub fn uid_site(model: &Model) -> String {
    let site = &model.config.site;
    if let Some(id) = &site.id {
        return id.clone();
    }
    if let Some(base) = &site.base_url {
        let rest = base
            .strip_prefix("https://")
            .or_else(|| base.strip_prefix("http://"))
            .unwrap_or(base);
        // No user info or port is part of a name: `user@host:8443/x` is `host/x`.
        let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
        let path = path.trim_end_matches('/');
        return if path.is_empty() {
            host
        } else {
            format!("{host}/{path}")
        };
    }
    format!("{}.cutover", name_slug(&site.title))
}

/// Lowercase letters and digits, other runs as one `-`: "Switch DB #2" is
/// `switch-db-2`; empty when nothing is left.
fn name_slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// UIDs of a change's phases, by written position: from the phase's name,
/// so moving a phase or inserting another keeps them; a name that repeats
/// one before it (or is empty) gets `-2`, `-3` after it.
pub fn phase_uids(change: &Change, site: &str) -> Vec<String> {
    let change_slug = slug(&change.id.value);
    let mut used: Vec<String> = Vec::new();
    change
        .phases
        .iter()
        .map(|phase| {
            let base = match name_slug(&phase.name) {
                s if s.is_empty() => "phase".to_string(),
                s => s,
            };
            let mut name = base.clone();
            let mut n = 1;
            while used.contains(&name) {
                n += 1;
                name = format!("{base}-{n}");
            }
            used.push(name.clone());
            format!("{change_slug}-phase-{name}@{site}")
        })
        .collect()
}

/// The UID of a change's monitoring period.
pub fn monitoring_uid(change: &Change, site: &str) -> String {
    format!("{}-monitoring@{site}", slug(&change.id.value))
}

/// Minutes from 2000-01-01T00:00:00Z, none before it.
fn minutes(at: Timestamp) -> i64 {
    const EPOCH: i64 = 946_684_800;
    (at.as_second() - EPOCH).max(0) / 60
}

/// Rank of an event status in SEQUENCE: a change moves from tentative to
/// confirmed to cancelled, not back.
fn rank(status: &str) -> i64 {
    match status {
        "TENTATIVE" => 0,
        "CONFIRMED" => 1,
        _ => 2,
    }
}

/// SEQUENCE of an event, from its content alone, so that two builds of one
/// plan agree and no state is kept between builds:
///
/// `3 × (minutes from 2000-01-01T00:00Z to its start + minutes to its end)`
/// plus the rank of its STATUS (TENTATIVE 0, CONFIRMED 1, CANCELLED 2), at
/// most 2³¹ − 1 (reached after the year 2680).
///
/// It grows whenever the start or the end moves later (by a minute or more)
/// and neither moves earlier, whatever the status does, and when only the
/// status moves forward (approved: tentative → confirmed; cancelled). Its
/// limit: no function of the event alone can also grow when the event moves
/// earlier (moving it back would have to grow again, and give the value it
/// had), so a phase moved earlier gets a smaller SEQUENCE, as does a change
/// taken back from cancelled. Subscribed calendars (Outlook, Google and
/// Apple refresh a `webcal:` subscription whole) show the new time anyway;
/// a copy imported once as a file keeps the old time until it is imported
/// again.
pub fn sequence(start: &ZonedDateTime, end: &ZonedDateTime, status: &str) -> u32 {
    let value = 3 * (minutes(start.timestamp()) + minutes(end.timestamp())) + rank(status);
    u32::try_from(value.min(i64::from(i32::MAX))).unwrap_or(0)
}

/// STATUS of the events of a change.
fn event_status(status: Status) -> &'static str {
    match status {
        Status::Draft | Status::Proposed => "TENTATIVE",
        Status::Cancelled => "CANCELLED",
        _ => "CONFIRMED",
    }
}

/// The plain-text DESCRIPTION of an event: the notice in short, written
/// like the `.txt` announcement (its status, Markdown rendered to plain
/// text, times in the reader's zone first, then UTC and the other zones).
fn description(cx: &ChangeCtx, reader: &TimeZone, what: &str, url: Option<&str>) -> String {
    let change = cx.change;
    let model = cx.model();
    let status = notice(change, cx.facts, reader, 0);
    let cancelled = change.status.value == Status::Cancelled;
    let mut text = format!(
        "{}: {} {}\n\n{what}\n\n{}: {}\n",
        status.label.to_uppercase(),
        status.headline,
        status.detail,
        if cancelled {
            "What was planned"
        } else {
            "What changes"
        },
        to_text(&change.summary)
    );
    if cancelled {
        text.push_str("What this means for you: nothing changes, the work will not take place.\n");
    } else {
        text.push_str(&format!(
            "What you will notice: {}\n",
            change.impact.as_deref().map_or_else(
                || "nothing is expected to change for you.".to_string(),
                to_text
            )
        ));
        if let Some(downtime) = &change.downtime {
            text.push_str(&format!("Expected downtime: {}.\n", downtime.value));
        }
    }
    let contact = change
        .communication
        .as_ref()
        .and_then(|c| c.contact.clone())
        .or_else(|| model.teams[change.owner.ix].email.clone())
        .unwrap_or_else(|| model.teams[change.owner.ix].name.clone());
    text.push_str(&format!("Questions: contact {contact}.\n"));
    if let Some(url) = url {
        text.push_str(&format!("The notice: {url}\n"));
    }
    text
}

/// The events of one change for a reader (an audience, else everyone): a
/// phase each and its monitoring period. `page`: the reader's notice, as a
/// path from the site root.
pub fn change_events(cx: &ChangeCtx, audience: Option<usize>, page: &str) -> Vec<ics::Event> {
    let model = cx.model();
    let change = cx.change;
    let site = uid_site(model);
    let uids = phase_uids(change, &site);
    let status = event_status(change.status.value);
    let prefix = cx.status().prefix.unwrap_or_default();
    let reader = reader_zone(cx, audience);
    let url = model
        .config
        .site
        .base_url
        .as_ref()
        .map(|base| format!("{base}{page}"));
    let order = cx.facts.phase_order();
    let count = order.len();
    let mut events: Vec<ics::Event> = order
        .iter()
        .enumerate()
        .map(|(n, &p)| {
            let phase = &cx.facts.phases[p];
            let name = &change.phases[p].name;
            let what = format!(
                "Phase {} of {count}: {name}, {}.",
                n + 1,
                when_text(cx, &reader, &phase.start, &phase.end)
            );
            ics::Event {
                uid: uids[p].clone(),
                summary: format!("{prefix}{}: {} – {name}", change.id.value, change.title),
                description: description(cx, &reader, &what, url.as_deref()),
                start: phase.start.clone(),
                end: phase.end.clone(),
                url: url.clone(),
                categories: vec!["change".into()],
                status: Some(status),
                sequence: Some(sequence(&phase.start, &phase.end, status)),
            }
        })
        .collect();
    if let (Some(end), Some(duration)) = (
        cx.facts.last_end(),
        change.monitoring.as_ref().and_then(|m| m.duration.as_ref()),
    ) {
        let until = duration.value.after(end);
        let what = format!(
            "Monitoring for {} after the last phase, {}.",
            duration.value,
            when_text(cx, &reader, end, &until)
        );
        events.push(ics::Event {
            uid: monitoring_uid(change, &site),
            summary: format!(
                "{prefix}{}: monitoring after {}",
                change.id.value, change.title
            ),
            description: description(cx, &reader, &what, url.as_deref()),
            sequence: Some(sequence(end, &until, status)),
            start: end.clone(),
            end: until,
            url: url.clone(),
            categories: vec!["monitoring".into()],
            status: Some(status),
        });
    }
    events
}

/// DTSTAMP of every event: midnight UTC of the as-of date.
pub fn dtstamp(checked: &Checked) -> Timestamp {
    crate::base::time::day_start(checked.as_of, &jiff::tz::TimeZone::UTC).timestamp()
}
