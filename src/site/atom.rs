//! Render stage: `feed.xml`, an Atom feed (RFC 4287) with one entry per
//! announcement, newest first, produced with atom_syndication.
//!
//! Every change but drafts and cancelled ones has an announcement. Its
//! date is `announced` (else the as-of date); a finished change's entry is
//! its completion notice, dated by `outcome.completed`. Links are absolute
//! when `site.base_url` is set, else relative to the feed.

use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use chrono::{FixedOffset, TimeZone as _};

use crate::base::time::resolve_local;
use crate::check::Checked;
use crate::model::{Status, slug};

fn fixed(ts: jiff::Timestamp) -> FixedDateTime {
    FixedOffset::east_opt(0)
        .and_then(|utc| utc.timestamp_opt(ts.as_second(), 0).single())
        .unwrap_or_default()
}

/// `feed.xml` of a checked plan: one entry per announcement, newest first.
pub fn feed(checked: &Checked) -> String {
    let model = &checked.model;
    let site_tz = &model.config.site.timezone.tz;
    let base = model.config.site.base_url.clone().unwrap_or_default();
    let midnight = |date: jiff::civil::Date, tz: &jiff::tz::TimeZone| {
        resolve_local(tz, date.to_datetime(jiff::civil::Time::midnight())).timestamp()
    };
    let mut entries: Vec<(jiff::Timestamp, String, Entry)> = Vec::new();
    for (ix, change) in model.changes.iter().enumerate() {
        if matches!(change.status.value, Status::Draft | Status::Cancelled) {
            continue;
        }
        let tz = &checked.facts.changes[ix].tz;
        let finished = matches!(change.status.value, Status::Completed | Status::RolledBack);
        let completed = change
            .outcome
            .as_ref()
            .and_then(|o| o.completed.as_ref())
            .map(|c| c.value.instant(tz));
        // Announcement days are read in the site's zone, as `short-notice` does.
        let announced = midnight(
            change.announced.as_ref().map_or(checked.as_of, |a| a.value),
            site_tz,
        );
        let updated = if finished {
            completed.unwrap_or(announced)
        } else {
            announced
        };
        let href = format!("{base}changes/{}/announcement.html", slug(&change.id.value));
        let title = if finished {
            format!("Completed: {} ({})", change.title, change.id.value)
        } else {
            format!("{} ({})", change.title, change.id.value)
        };
        let mut entry = Entry::default();
        entry.set_title(Text::plain(title));
        entry.set_id(if base.is_empty() {
            format!("urn:cutover:change:{}", slug(&change.id.value))
        } else {
            href.clone()
        });
        entry.set_updated(fixed(updated));
        entry.set_published(Some(fixed(announced)));
        entry.set_links(vec![Link {
            href,
            rel: "alternate".into(),
            mime_type: Some("text/html".into()),
            ..Link::default()
        }]);
        entry.set_authors(vec![Person {
            name: model.teams[change.owner.ix].name.clone(),
            email: model.teams[change.owner.ix].email.clone(),
            ..Person::default()
        }]);
        entry.set_summary(Some(Text::html(crate::site::markdown::to_html(
            &change.summary,
        ))));
        let mut content = Content::default();
        content.set_content_type(Some("html".to_string()));
        let mut body = crate::site::markdown::to_html(&change.summary);
        body.push_str(&crate::site::markdown::to_html(&change.why));
        if let Some(impact) = &change.impact {
            body.push_str(&crate::site::markdown::to_html(impact));
        }
        content.set_value(Some(body));
        entry.set_content(Some(content));
        entries.push((updated, change.id.value.clone(), entry));
    }
    entries.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let newest = entries
        .first()
        .map_or_else(|| midnight(checked.as_of, site_tz), |e| e.0);
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
    feed.set_entries(entries.into_iter().map(|(_, _, e)| e).collect::<Vec<_>>());
    let mut text = feed.to_string();
    text.push('\n');
    text
}
