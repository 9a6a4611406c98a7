//! Render stage: `feed.xml`, an Atom feed (RFC 4287) of the notices to
//! stakeholders, newest first, produced with atom_syndication.
//!
//! What is published, and when:
//! - the announcement of every approved change (approved, scheduled, in
//!   progress, completed, rolled back, cancelled), from its announcement
//!   day on: `announced`, else the as-of date (as `short-notice` reads it),
//!   and dated that day, midnight in the site's zone. Drafts and proposed
//!   changes have no entry: they are not approved, and a notice goes out
//!   only for a change that will happen;
//! - a cancellation notice of its own (id `...#cancelled`) for a cancelled
//!   change, dated its announcement day too, since the inventory records no
//!   cancellation date: a reader sees a new entry, whatever its date;
//! - a completion notice of its own (`...#completed`, `...#rolled-back`)
//!   for a finished change, dated `outcome.completed` (else the end of its
//!   last phase).
//!
//! No entry is dated after the start of the as-of day: an entry whose date
//! lies later is not published yet. Each entry's content has the status,
//! the times of every phase in the site's zone and in UTC, the downtime, the
//! impact and the contact. Links are absolute when `site.base_url` is set,
//! else relative to the feed.

use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use chrono::{FixedOffset, TimeZone as _};

use crate::analysis::ChangeFacts;
use crate::base::time::day_start;
use crate::check::Checked;
use crate::model::{Change, Model, Status, slug};
use crate::site::markdown::to_html;
use crate::site::notice::{contact, span_in};
use crate::site::status::{StatusNotice, notice};

fn fixed(ts: jiff::Timestamp) -> FixedDateTime {
    FixedOffset::east_opt(0)
        .and_then(|utc| utc.timestamp_opt(ts.as_second(), 0).single())
        .unwrap_or_default()
}

/// Text as HTML: `&`, `<`, `>` and `"` escaped.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The kinds of entry, in the order entries of one date are listed.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// Cancelled, completed or rolled back: news about an earlier notice.
    Outcome,
    Announcement,
}

/// The status paragraph of an entry.
fn status_html(status: &StatusNotice) -> String {
    format!(
        "<p><strong>{}.</strong> {} {}</p>\n",
        esc(status.label),
        esc(&status.headline),
        esc(&status.detail)
    )
}

/// Every phase in the site's zone and UTC.
fn when_html(model: &Model, change: &Change, facts: &ChangeFacts, heading: &str) -> String {
    let site = &model.config.site.timezone.tz;
    let mut html = format!("<h3>{heading}</h3>\n<ul>\n");
    for p in facts.phase_order() {
        let time = &facts.phases[p];
        html.push_str(&format!(
            "<li><strong>{}</strong>: {} ({})</li>\n",
            esc(&change.phases[p].name),
            esc(&span_in(&time.start, &time.end, site)),
            esc(&span_in(&time.start, &time.end, &jiff::tz::TimeZone::UTC)),
        ));
    }
    html.push_str("</ul>\n");
    html
}

fn contact_html(model: &Model, change: &Change) -> String {
    let contact =
        contact(model, change).unwrap_or_else(|| model.teams[change.owner.ix].name.clone());
    format!("<p>Questions: contact {}.</p>\n", esc(&contact))
}

/// The announcement: status, what, when, downtime, impact, contact.
fn announcement_html(
    model: &Model,
    change: &Change,
    facts: &ChangeFacts,
    status: &StatusNotice,
) -> String {
    let mut html = status_html(status);
    html.push_str(&to_html(&change.summary));
    html.push_str(&when_html(model, change, facts, "When"));
    html.push_str(&match &change.downtime {
        Some(d) => format!("<p>Expected downtime: {}.</p>\n", d.value),
        None => "<p>No downtime is announced.</p>\n".to_string(),
    });
    html.push_str("<h3>What you will notice</h3>\n");
    html.push_str(&change.impact.as_deref().map_or_else(
        || "<p>Nothing is expected to change for you.</p>\n".to_string(),
        to_html,
    ));
    html.push_str(&contact_html(model, change));
    html
}

/// The cancellation notice: what was planned and when, and that it is off.
fn cancellation_html(
    model: &Model,
    change: &Change,
    facts: &ChangeFacts,
    status: &StatusNotice,
) -> String {
    let mut html = status_html(status);
    html.push_str("<h3>What was planned</h3>\n");
    html.push_str(&to_html(&change.summary));
    html.push_str(&when_html(model, change, facts, "When it would have been"));
    html.push_str(&format!(
        "<p>Nothing changes for you: the work will not take place{}.</p>\n",
        change.downtime.as_ref().map_or(String::new(), |d| format!(
            ", and the expected downtime of {} will not happen",
            d.value
        ))
    ));
    html.push_str(&contact_html(model, change));
    html
}

/// The completion notice: the outcome, its notes, the new guidelines.
fn completion_html(
    model: &Model,
    change: &Change,
    facts: &ChangeFacts,
    status: &StatusNotice,
) -> String {
    let mut html = status_html(status);
    if let Some(outcome) = &change.outcome {
        html.push_str(&format!(
            "<p>Outcome: {}.</p>\n",
            outcome.result.value.name()
        ));
        if let Some(notes) = &outcome.notes {
            html.push_str(&to_html(notes));
        }
    }
    if change.status.value == Status::RolledBack {
        html.push_str("<p>Everything works as it did before the change.</p>\n");
    } else if let Some(guidelines) = change
        .communication
        .as_ref()
        .and_then(|c| c.guidelines.as_deref())
    {
        html.push_str("<h3>What to do from now on</h3>\n");
        html.push_str(&to_html(guidelines));
    }
    html.push_str(&when_html(model, change, facts, "When it ran"));
    html.push_str(&contact_html(model, change));
    html
}

/// `feed.xml` of a checked plan: announcements, cancellations and
/// completions, newest first, each from its day on.
pub fn feed(checked: &Checked) -> String {
    let model = &checked.model;
    let site_tz = &model.config.site.timezone.tz;
    let base = model.config.site.base_url.clone().unwrap_or_default();
    // Nothing is published that is dated after the start of the as-of day.
    let now = day_start(checked.as_of, site_tz).timestamp();
    let mut entries: Vec<(jiff::Timestamp, Kind, String, Entry)> = Vec::new();
    for (ix, change) in model.changes.iter().enumerate() {
        let status = change.status.value;
        if matches!(status, Status::Draft | Status::Proposed) {
            continue;
        }
        let facts = &checked.facts.changes[ix];
        let notice = notice(change, facts, site_tz, 0);
        // Announcement days are read in the site's zone, as `short-notice` does.
        let announced = day_start(
            change.announced.as_ref().map_or(checked.as_of, |a| a.value),
            site_tz,
        )
        .timestamp();
        let s = slug(&change.id.value);
        let href = format!("{base}changes/{s}/announcement.html");
        let id = |fragment: &str| match (base.is_empty(), fragment.is_empty()) {
            (true, true) => format!("urn:cutover:change:{s}"),
            (true, false) => format!("urn:cutover:change:{s}:{fragment}"),
            (false, true) => href.clone(),
            (false, false) => format!("{href}#{fragment}"),
        };
        let author = Person {
            name: model.teams[change.owner.ix].name.clone(),
            email: model.teams[change.owner.ix].email.clone(),
            ..Person::default()
        };
        let entry = |title: String, id: String, date: jiff::Timestamp, body: String| {
            let mut entry = Entry::default();
            entry.set_title(Text::plain(title));
            entry.set_id(id);
            entry.set_updated(fixed(date));
            entry.set_published(Some(fixed(date)));
            entry.set_links(vec![Link {
                href: href.clone(),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Link::default()
            }]);
            entry.set_authors(vec![author.clone()]);
            entry.set_summary(Some(Text::plain(format!(
                "{} {}",
                notice.headline, notice.detail
            ))));
            let mut content = Content::default();
            content.set_content_type(Some("html".to_string()));
            content.set_value(Some(body));
            entry.set_content(Some(content));
            entry
        };
        if announced > now {
            // Not announced yet: nothing about it is news.
            continue;
        }
        let name = format!("{} ({})", change.title, change.id.value);
        let since = match status {
            Status::Cancelled | Status::Completed | Status::RolledBack => {
                format!(" – now {}", notice.label.to_lowercase())
            }
            _ => String::new(),
        };
        entries.push((
            announced,
            Kind::Announcement,
            change.id.value.clone(),
            entry(
                format!("{name}{since}"),
                id(""),
                announced,
                announcement_html(model, change, facts, &notice),
            ),
        ));
        let prefix = notice.prefix.unwrap_or_default();
        match status {
            Status::Cancelled => entries.push((
                announced,
                Kind::Outcome,
                change.id.value.clone(),
                entry(
                    format!("{prefix}{name}"),
                    id("cancelled"),
                    announced,
                    cancellation_html(model, change, facts, &notice),
                ),
            )),
            Status::Completed | Status::RolledBack => {
                let done = change
                    .outcome
                    .as_ref()
                    .and_then(|o| o.completed.as_ref())
                    .map(|c| c.value.instant(&facts.tz))
                    .or_else(|| facts.last_end().map(|z| z.timestamp()))
                    .unwrap_or(announced)
                    .max(announced);
                if done <= now {
                    entries.push((
                        done,
                        Kind::Outcome,
                        change.id.value.clone(),
                        entry(
                            format!("{prefix}{name}"),
                            id(status.name()),
                            done,
                            completion_html(model, change, facts, &notice),
                        ),
                    ));
                }
            }
            _ => {}
        }
    }
    entries.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| a.1.cmp(&b.1))
            .then_with(|| a.2.cmp(&b.2))
    });
    let newest = entries.first().map_or(now, |e| e.0);
    let mut feed = Feed::default();
    feed.set_title(Text::plain(format!(
        "{}: announcements",
        model.config.site.title
    )));
    feed.set_id(if base.is_empty() {
        "urn:cutover:feed".to_string()
    } else {
        format!("{base}feed.xml")
    });
    feed.set_updated(fixed(newest));
    feed.set_links(vec![
        Link {
            href: format!("{base}feed.xml"),
            rel: "self".into(),
            mime_type: Some("application/atom+xml".into()),
            ..Link::default()
        },
        Link {
            href: format!("{base}index.html"),
            rel: "alternate".into(),
            mime_type: Some("text/html".into()),
            ..Link::default()
        },
    ]);
    feed.set_entries(
        entries
            .into_iter()
            .map(|(_, _, _, e)| e)
            .collect::<Vec<_>>(),
    );
    let mut text = feed.to_string();
    text.push('\n');
    text
}
