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
//!   markup, no hard line breaks of the TOML), at most
//!   [`DESCRIPTION_CHARS`] characters: the status, which phase and when
//!   (the reader's zone, then UTC), what changes, what users notice, the
//!   downtime, the contact and the notice's absolute address. Each part is
//!   clipped with `…` at its own limit, so a calendar of 50,000 phases or
//!   of 2,000 audiences grows with its events, not with their texts.
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
use crate::site::notice::{contact, reader_zone, when_short};
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

/// Longest DESCRIPTION of an event, in characters before TEXT escaping
/// (which at most doubles it; [`ics`] folds it into lines of 75 octets):
/// a calendar carries one per phase, so a change of 50,000 phases or 2,000
/// audiences' calendars must not repeat whole notices.
pub const DESCRIPTION_CHARS: usize = 2_000;

/// Longest status line (its label, headline and detail).
const STATUS_CHARS: usize = 300;
/// Longest line of the phase (or monitoring period) and its times.
const WHEN_CHARS: usize = 250;
/// Longest "What changes" text.
const SUMMARY_CHARS: usize = 300;
/// Longest "What you will notice" text.
const IMPACT_CHARS: usize = 500;
/// Longest phase name, in the description and in the SUMMARY.
const NAME_CHARS: usize = 80;
/// Longest change title in the SUMMARY.
const TITLE_CHARS: usize = 120;
/// Longest contact.
const CONTACT_CHARS: usize = 100;
/// Longest notice address written in the text; a longer one (a very long
/// `site.base_url`) is in the URL property alone.
const LINK_CHARS: usize = 300;

/// `text` in at most `limit` characters, its runs of spaces and tabs as
/// one space and its blank lines dropped; on one line (line breaks as
/// spaces too) unless `lines`. A longer text is cut, at a space or line
/// break when there is one in the last quarter of what fits, and ends with
/// `…`. Reads no further than the first word past the limit, so a field of
/// 64 KiB costs what its first `limit` characters do.
fn clip(text: &str, limit: usize, lines: bool) -> String {
    let mut out = String::new();
    let mut count = 0usize;
    'all: for line in text.lines() {
        let mut words = line.split_whitespace().peekable();
        if words.peek().is_none() {
            continue;
        }
        let mut gap = if lines { '\n' } else { ' ' };
        for word in words {
            if count > limit {
                break 'all;
            }
            if count > 0 {
                out.push(gap);
                count += 1;
            }
            gap = ' ';
            out.push_str(word);
            count += word.chars().count();
        }
    }
    if count <= limit {
        return out;
    }
    let keep = limit.saturating_sub(1);
    let cut = out.char_indices().nth(keep).map_or(out.len(), |(i, _)| i);
    let mut head = &out[..cut];
    if let Some(space) = head.rfind([' ', '\n'])
        && head[..space].chars().count() >= keep - keep / 4
    {
        head = &head[..space];
    }
    format!("{}…", head.trim_end())
}

/// The parts of an event's DESCRIPTION that every event of a change
/// shares, worked out once per change and reader: the status line, and
/// what follows the line of the phase.
struct Notice {
    status: String,
    rest: String,
    link: Option<String>,
}

impl Notice {
    /// The status (on one line), what changes and what users notice (each
    /// on one line, Markdown rendered to plain text, clipped), the
    /// downtime, the contact and the notice's absolute address.
    fn new(cx: &ChangeCtx, reader: &TimeZone, url: Option<&str>) -> Notice {
        let change = cx.change;
        let model = cx.model();
        let status = notice(change, cx.facts, reader, 0);
        let cancelled = change.status.value == Status::Cancelled;
        let status = clip(
            &format!(
                "{}: {} {}",
                status.label.to_uppercase(),
                status.headline,
                status.detail
            ),
            STATUS_CHARS,
            false,
        );
        let mut rest = format!(
            "{}: {}\n",
            if cancelled {
                "What was planned"
            } else {
                "What changes"
            },
            clip(&to_text(&change.summary), SUMMARY_CHARS, true)
        );
        if cancelled {
            rest.push_str(
                "What this means for you: nothing changes, the work will not take place.\n",
            );
        } else {
            rest.push_str(&format!(
                "What you will notice: {}\n",
                change.impact.as_deref().map_or_else(
                    || "nothing is expected to change for you.".to_string(),
                    |impact| clip(&to_text(impact), IMPACT_CHARS, true)
                )
            ));
            if let Some(downtime) = &change.downtime {
                rest.push_str(&format!("Expected downtime: {}.\n", downtime.value));
            }
        }
        let contact =
            contact(model, change).unwrap_or_else(|| model.teams[change.owner.ix].name.clone());
        rest.push_str(&format!(
            "Questions: contact {}.\n",
            clip(&contact, CONTACT_CHARS, false)
        ));
        let link = url
            .filter(|u| u.chars().count() <= LINK_CHARS)
            .map(|u| format!("The notice: {u}\n"));
        Notice { status, rest, link }
    }

    /// The DESCRIPTION of the event of which `what` says the phase (or
    /// monitoring period) and when: at most [`DESCRIPTION_CHARS`]
    /// characters.
    fn description(&self, what: &str) -> String {
        let mut text = format!(
            "{}\n\n{}\n\n{}",
            self.status,
            clip(what, WHEN_CHARS, false),
            self.rest
        );
        let link = self.link.as_deref().unwrap_or_default();
        let room = DESCRIPTION_CHARS - link.chars().count();
        if let Some((cut, _)) = text.char_indices().nth(room) {
            // Not reached with the limits above (at most 1,700 characters
            // before the address); the bound holds whatever they are.
            text.truncate(cut);
        }
        text.push_str(link);
        text
    }
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
    let title = clip(&change.title, TITLE_CHARS, false);
    let notice = Notice::new(cx, &reader, url.as_deref());
    let order = cx.facts.phase_order();
    let count = order.len();
    let mut events: Vec<ics::Event> = order
        .iter()
        .enumerate()
        .map(|(n, &p)| {
            let phase = &cx.facts.phases[p];
            let name = clip(&change.phases[p].name, NAME_CHARS, false);
            let what = format!(
                "Phase {} of {count}: {name}, {}.",
                n + 1,
                when_short(&reader, &phase.start, &phase.end)
            );
            ics::Event {
                uid: uids[p].clone(),
                summary: format!("{prefix}{}: {title} – {name}", change.id.value),
                description: notice.description(&what),
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
            when_short(&reader, end, &until)
        );
        events.push(ics::Event {
            uid: monitoring_uid(change, &site),
            summary: format!("{prefix}{}: monitoring after {title}", change.id.value),
            description: notice.description(&what),
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

#[cfg(test)]
mod tests {
    use super::clip;

    #[test]
    fn clip_keeps_a_short_text_and_drops_blank_lines() {
        let text = "Upgrade  the\n\nreplica,\tthen\n- the primary.\n";
        assert_eq!(
            clip(text, 200, false),
            "Upgrade the replica, then - the primary."
        );
        assert_eq!(
            clip(text, 200, true),
            "Upgrade the\nreplica, then\n- the primary."
        );
        assert_eq!(clip("exactly ten", 11, false), "exactly ten");
        assert_eq!(clip("", 10, true), "");
    }

    #[test]
    fn clip_cuts_a_long_text_at_a_word_with_an_ellipsis() {
        let text = "one two three four five six seven eight nine ten";
        assert_eq!(clip(text, 20, false), "one two three four…");
        assert_eq!(
            clip("one two\nthree four five", 17, true),
            "one two\nthree…"
        );
        // One character over is cut too, inside the word when the last
        // space is further back than a quarter of what fits.
        assert_eq!(clip("exactly ten!", 11, false), "exactly te…");
    }

    #[test]
    fn clip_cuts_inside_a_word_without_a_space_near_the_end() {
        let long = "ü".repeat(70_000);
        let cut = clip(&long, 80, true);
        assert_eq!(cut.chars().count(), 80);
        assert!(cut.ends_with("ü…"));
        assert_eq!(
            clip(&format!("a {long}"), 10, false),
            format!("a {}…", "ü".repeat(7))
        );
    }
}
