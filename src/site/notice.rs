//! Render stage: the notices of a change to the people it concerns. The
//! announcement (HTML and plain text) says what the status means (a
//! cancelled change's notice is a cancellation notice), gives every time in
//! the reader's zone first and then in UTC and the other zones involved, and
//! links the calendar feeds of the audiences the change impacts. An
//! audience with its own `timezone` gets its own copy of each notice that
//! concerns it (`announcement-<audience>.html` and `.txt`), times in its
//! zone first.

use jiff::ZonedDateTime;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::model::{Audience, Change, Model, Status, slug};
use crate::site::markdown::{to_html, to_text};
use crate::site::status::{StatusNotice, notice};
use crate::site::views::{
    AudienceView, ChangeCtx, ChangeRow, ChangeShared, LIST_LIMIT, OutcomeView, PHASES_PER_PAGE,
    PhaseView, TeamView, communication, outcome, team,
};

/// The audiences a change concerns: those it impacts, those it tells and
/// those its phases name, by id.
pub fn concerned(cx: &ChangeCtx) -> Vec<usize> {
    let change = cx.change;
    let mut list: Vec<usize> = cx.facts.impact.audiences.clone();
    list.extend(
        change
            .communication
            .iter()
            .flat_map(|c| c.audiences.iter().map(|a| a.ix)),
    );
    list.extend(
        change
            .phases
            .iter()
            .flat_map(|p| p.audiences.iter().map(|a| a.ix)),
    );
    let model = cx.model();
    list.sort_by(|&a, &b| {
        model.audiences[a]
            .id
            .value
            .cmp(&model.audiences[b].id.value)
    });
    list.dedup();
    list
}

/// Copies of a notice one change has at most: a change concerning more
/// audiences with a zone of their own gives copies to the first this many
/// by id, and the others read the general notice, whose times are in up to
/// [`ZONE_LIMIT`] zones.
pub const COPY_LIMIT: usize = LIST_LIMIT;

/// Zones each time of a notice is given in at most (the reader's first).
pub const ZONE_LIMIT: usize = 6;

/// The concerned audiences that read times in a zone of their own, each
/// with its own copy of the notice: the first [`COPY_LIMIT`] by id.
pub fn zoned(cx: &ChangeCtx) -> Vec<usize> {
    zoned_count(cx).0
}

/// [`zoned`], and how many audiences with a zone of their own it leaves
/// out.
pub fn zoned_count(cx: &ChangeCtx) -> (Vec<usize>, usize) {
    let mut all: Vec<usize> = concerned(cx)
        .into_iter()
        .filter(|&a| cx.model().audiences[a].timezone.is_some())
        .collect();
    let more = all.len().saturating_sub(COPY_LIMIT);
    all.truncate(COPY_LIMIT);
    (all, more)
}

/// `calendar/<audience>.ics`, from the site root.
pub fn feed_path(audience: &Audience) -> String {
    format!("calendar/{}.ics", slug(&audience.id.value))
}

/// `changes/<change>/announcement.html` or, for an audience's copy,
/// `announcement-<audience>.html`; `ext` is `html` or `txt`.
pub fn announcement_path(change: &Change, audience: Option<&Audience>, ext: &str) -> String {
    let copy = audience.map_or(String::new(), |a| format!("-{}", slug(&a.id.value)));
    format!(
        "changes/{}/announcement{copy}.{ext}",
        slug(&change.id.value)
    )
}

/// A calendar to subscribe to.
#[derive(Serialize, Clone)]
pub struct FeedLink {
    /// Whose calendar: "All changes", "Changes that impact Finance".
    pub name: String,
    /// The `https:` address when `site.base_url` is set, else the path
    /// relative to the page.
    pub href: String,
    /// `webcal:` for the same address, when `site.base_url` is set.
    pub webcal: Option<String>,
}

/// The link to `path` (from the site root) as a subscription: absolute
/// `https:` and `webcal:` addresses with `base_url`, else relative to the
/// page at `root`.
pub fn feed_link(model: &Model, root: &str, path: &str, name: String) -> FeedLink {
    match &model.config.site.base_url {
        Some(base) => {
            let href = format!("{base}{path}");
            let rest = href
                .strip_prefix("https://")
                .or_else(|| href.strip_prefix("http://"))
                .unwrap_or(&href);
            FeedLink {
                webcal: Some(format!("webcal://{rest}")),
                name,
                href,
            }
        }
        None => FeedLink {
            name,
            href: format!("{root}{path}"),
            webcal: None,
        },
    }
}

/// One phase in the reader's zone first, then in the others.
#[derive(Serialize)]
pub struct WhenLine {
    /// The phase's name.
    pub name: String,
    /// "Sat 2027-01-16 19:00 EST to Sat 2027-01-16 20:30 EST".
    pub first: String,
    /// The same in UTC and in every other zone involved.
    pub others: Vec<String>,
    /// Start, ISO 8601, for `<time datetime>`.
    pub iso: String,
    /// Names of the audiences the phase names, in written order.
    pub audiences: Vec<String>,
}

fn is_utc(tz: &TimeZone) -> bool {
    tz.iana_name()
        .is_none_or(|name| name == "UTC" || name == "Etc/UTC")
        && tz.to_offset(jiff::Timestamp::UNIX_EPOCH).is_zero()
}

/// "Tue 2026-12-08 19:00 CET to Tue 2026-12-08 20:30 CET", or in UTC
/// "2026-12-08 18:00 UTC to 2026-12-08 19:30 UTC".
pub fn span_in(start: &ZonedDateTime, end: &ZonedDateTime, tz: &TimeZone) -> String {
    let form = if is_utc(tz) {
        "%Y-%m-%d %H:%M UTC"
    } else {
        "%a %Y-%m-%d %H:%M %Z"
    };
    let at = |z: &ZonedDateTime| {
        z.timestamp()
            .to_zoned_datetime(tz.clone())
            .strftime(form)
            .to_string()
    };
    format!("{} to {}", at(start), at(end))
}

/// The zones a notice gives its times in: the reader's first, then UTC,
/// the change's, the site's and those of the zoned audiences, each once.
fn zones(cx: &ChangeCtx, reader: &TimeZone) -> Vec<TimeZone> {
    let model = cx.model();
    let mut list = vec![reader.clone(), TimeZone::UTC];
    list.push(cx.facts.tz.clone());
    list.push(model.config.site.timezone.tz.clone());
    for a in zoned(cx) {
        if let Some(zone) = &model.audiences[a].timezone {
            list.push(zone.value.tz.clone());
        }
    }
    let mut seen: Vec<String> = Vec::new();
    list.retain(|tz| {
        let key = if is_utc(tz) {
            "UTC".to_string()
        } else {
            tz.iana_name().unwrap_or("").to_string()
        };
        let fresh = !seen.contains(&key);
        seen.push(key);
        fresh
    });
    list.truncate(ZONE_LIMIT);
    list
}

/// `start` to `end` in the reader's zone, then in parentheses in UTC and
/// the other zones of the change's notices.
pub fn when_text(
    cx: &ChangeCtx,
    reader: &TimeZone,
    start: &ZonedDateTime,
    end: &ZonedDateTime,
) -> String {
    let zones = zones(cx, reader);
    let mut all = zones.iter().map(|tz| span_in(start, end, tz));
    let first = all.next().unwrap_or_default();
    let others: Vec<String> = all.collect();
    if others.is_empty() {
        first
    } else {
        format!("{first} ({})", others.join("; "))
    }
}

/// `start` to `end` in the reader's zone, then in parentheses in UTC
/// (alone when the reader's zone is UTC): the two-zone form of
/// [`when_text`] the calendar events use, whose clients show the times in
/// their own zone anyway.
pub fn when_short(reader: &TimeZone, start: &ZonedDateTime, end: &ZonedDateTime) -> String {
    let first = span_in(start, end, reader);
    if is_utc(reader) {
        first
    } else {
        format!("{first} ({})", span_in(start, end, &TimeZone::UTC))
    }
}

/// The zone a reader sees times in first: the audience's, else the
/// change's.
pub fn reader_zone(cx: &ChangeCtx, audience: Option<usize>) -> TimeZone {
    audience
        .and_then(|a| cx.model().audiences[a].timezone.as_ref())
        .map_or_else(|| cx.facts.tz.clone(), |z| z.value.tz.clone())
}

/// The first [`PHASES_PER_PAGE`] phases of the change, in start order, in
/// the reader's zone first.
pub fn when_lines(cx: &ChangeCtx, reader: &TimeZone) -> Vec<WhenLine> {
    let zones = zones(cx, reader);
    let mut order = cx.facts.phase_order();
    order.truncate(PHASES_PER_PAGE);
    order
        .into_iter()
        .map(|p| {
            let time = &cx.facts.phases[p];
            let phase = &cx.change.phases[p];
            let mut all = zones.iter().map(|tz| span_in(&time.start, &time.end, tz));
            WhenLine {
                name: phase.name.clone(),
                first: all.next().unwrap_or_default(),
                others: all.collect(),
                iso: time.start.timestamp().to_string(),
                audiences: phase
                    .audiences
                    .iter()
                    .take(LIST_LIMIT)
                    .map(|a| cx.model().audiences[a.ix].name.clone())
                    .chain(
                        (phase.audiences.len() > LIST_LIMIT).then(|| {
                            format!("{} more audiences", phase.audiences.len() - LIST_LIMIT)
                        }),
                    )
                    .collect(),
            }
        })
        .collect()
}

/// The audience a copy of a notice is for.
#[derive(Serialize)]
pub struct ReaderView {
    /// The audience's id.
    pub id: String,
    /// The audience's name, "Finance".
    pub name: String,
    /// Its zone, "America/New_York".
    pub zone: String,
}

/// A link to an audience's copy of the notice.
#[derive(Serialize)]
pub struct CopyLink {
    /// The audience's name.
    pub name: String,
    /// The audience's zone, "America/New_York".
    pub zone: String,
    /// The HTML copy's file name, relative to the announcement (same
    /// folder): `announcement-<audience>.html`.
    pub html: String,
    /// The plain-text copy's file name, beside it:
    /// `announcement-<audience>.txt`.
    pub txt: String,
}

/// The announcement of a change (HTML and plain text), in general or for
/// one audience.
#[derive(Serialize)]
pub struct AnnouncementView<'a> {
    /// The change as in lists: its link, status, first start and last
    /// end, risk, findings and owner.
    pub row: &'a ChangeRow,
    /// What the status means; the notice of a cancelled change is a
    /// cancellation notice, of a finished one a completion notice.
    pub status: StatusNotice,
    /// The change is cancelled.
    pub cancelled: bool,
    /// The change was rolled back.
    pub rolled_back: bool,
    /// The audience this copy is for (its zone first).
    pub reader: Option<ReaderView>,
    /// What changes (the change's `summary`), as sanitized HTML for the
    /// page.
    pub summary: &'a str,
    /// Why it is needed (`why`), as sanitized HTML.
    pub why: &'a str,
    /// What users will notice (`impact`), as sanitized HTML; `None` when
    /// not written.
    pub impact: Option<&'a str>,
    /// `summary` as plain text, for the email body and calendar entries.
    pub summary_text: &'a str,
    /// `why` as plain text.
    pub why_text: &'a str,
    /// `impact` as plain text; `None` when not written.
    pub impact_text: Option<&'a str>,
    /// Expected user-facing downtime as written ("2h30m"); `None` when not
    /// written.
    pub downtime: Option<String>,
    /// Phases with their times (in the change's zone, UTC, the site's).
    pub phases: &'a [PhaseView<'a>],
    /// The first [`PHASES_PER_PAGE`] phases with their times in the
    /// reader's zone first; `more_when` follow, the last of them ending
    /// `last_end` (in the reader's zone).
    pub when: Vec<WhenLine>,
    /// Phases after the first [`PHASES_PER_PAGE`], not listed.
    pub more_when: usize,
    /// When the last phase ends, in the reader's zone, if phases are left out.
    pub last_end: Option<String>,
    /// Whom users contact with questions: `communication.contact`, else
    /// the owning team's email; `None` when neither is written.
    pub contact: Option<String>,
    /// The team that owns the change.
    pub owner: TeamView,
    /// The audiences `communication` tells.
    pub audiences: Vec<AudienceView>,
    /// The change is over (completed or rolled back): the notice reports
    /// its outcome instead of what to do afterwards.
    pub finished: bool,
    /// How it went, when `[change.outcome]` is written.
    pub outcome: Option<OutcomeView>,
    /// The outcome's `notes` as plain text; `None` when not written.
    pub outcome_notes_text: Option<String>,
    /// New guidelines for users afterwards (`communication.guidelines`),
    /// as sanitized HTML; `None` when not written.
    pub guidelines: Option<String>,
    /// The guidelines as plain text.
    pub guidelines_text: Option<String>,
    /// The calendar of every change, then those of the impacted audiences.
    pub calendars: Vec<FeedLink>,
    /// Impacted audiences whose calendar is left out of `calendars` (past
    /// [`LIST_LIMIT`]).
    pub more_calendars: usize,
    /// The audiences' own copies (general notice only), and how many
    /// audiences with a zone of their own read this general notice.
    pub copies: Vec<CopyLink>,
    /// See `copies`.
    pub more_copies: usize,
    /// The absolute address of this notice, when `site.base_url` is set.
    pub url: Option<String>,
}

/// The announcement of the change of `cx` for the page at `root` (the
/// path back to the site root): the general notice, or the copy for the
/// audience of index `audience`, its times in that audience's zone first.
/// Its row, texts and phases (the first [`PHASES_PER_PAGE`]) are those of
/// `shared` (of the same change, linked from the same `root`).
pub fn announcement_view<'a>(
    cx: &ChangeCtx,
    root: &str,
    audience: Option<usize>,
    shared: &'a ChangeShared<'a>,
) -> AnnouncementView<'a> {
    let model = cx.model();
    let change = cx.change;
    let reader = audience.map(|a| &model.audiences[a]);
    let reader_zone = reader_zone(cx, audience);
    let status = change.status.value;
    let guidelines = change
        .communication
        .as_ref()
        .and_then(|c| c.guidelines.as_deref());
    let mut calendars = vec![feed_link(
        model,
        root,
        "calendar.ics",
        "All changes".to_string(),
    )];
    let impacting: std::collections::BTreeSet<usize> =
        cx.facts.impact.audiences.iter().copied().collect();
    let impacted: Vec<usize> = concerned(cx)
        .into_iter()
        .filter(|a| impacting.contains(a))
        .filter(|&a| audience.is_none_or(|r| r == a))
        .collect();
    let more_calendars = impacted.len().saturating_sub(LIST_LIMIT);
    calendars.extend(impacted.iter().take(LIST_LIMIT).map(|&a| {
        let audience = &model.audiences[a];
        feed_link(
            model,
            root,
            &feed_path(audience),
            format!("Changes that impact {}", audience.name),
        )
    }));
    let (zoned, more_copies) = zoned_count(cx);
    let copies = if audience.is_none() {
        zoned
            .into_iter()
            .map(|a| {
                let audience = &model.audiences[a];
                let file = |ext| {
                    announcement_path(change, Some(audience), ext)
                        .rsplit('/')
                        .next()
                        .unwrap_or_default()
                        .to_string()
                };
                CopyLink {
                    name: audience.name.clone(),
                    zone: audience
                        .timezone
                        .as_ref()
                        .map_or(String::new(), |z| z.value.name.clone()),
                    html: file("html"),
                    txt: file("txt"),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    AnnouncementView {
        row: &shared.row,
        // Errors of the plan are for the pages of the team, not the notice.
        status: notice(change, cx.facts, &reader_zone, 0),
        cancelled: status == Status::Cancelled,
        rolled_back: status == Status::RolledBack,
        reader: reader.map(|a| ReaderView {
            id: a.id.value.clone(),
            name: a.name.clone(),
            zone: a
                .timezone
                .as_ref()
                .map_or(String::new(), |z| z.value.name.clone()),
        }),
        summary: &shared.summary,
        why: &shared.why,
        impact: shared.impact.as_deref(),
        summary_text: &shared.summary_text,
        why_text: &shared.why_text,
        impact_text: shared.impact_text.as_deref(),
        downtime: change.downtime.as_ref().map(|d| d.value.to_string()),
        phases: shared.first_phases(),
        when: when_lines(cx, &reader_zone),
        more_when: change.phases.len().saturating_sub(PHASES_PER_PAGE),
        last_end: (change.phases.len() > PHASES_PER_PAGE)
            .then(|| cx.facts.last_end())
            .flatten()
            .map(|end| {
                let form = if is_utc(&reader_zone) {
                    "%Y-%m-%d %H:%M UTC"
                } else {
                    "%a %Y-%m-%d %H:%M %Z"
                };
                end.timestamp()
                    .to_zoned_datetime(reader_zone.clone())
                    .strftime(form)
                    .to_string()
            }),
        contact: contact(model, change),
        owner: team(model, change.owner.ix),
        audiences: communication(cx).map(|c| c.audiences).unwrap_or_default(),
        finished: matches!(status, Status::Completed | Status::RolledBack),
        outcome: outcome(cx),
        outcome_notes_text: change
            .outcome
            .as_ref()
            .and_then(|o| o.notes.as_deref())
            .map(to_text),
        guidelines: guidelines.map(to_html),
        guidelines_text: guidelines.map(to_text),
        calendars,
        more_calendars,
        copies,
        more_copies: if audience.is_none() { more_copies } else { 0 },
        url: model
            .config
            .site
            .base_url
            .as_ref()
            .map(|base| format!("{base}{}", announcement_path(change, reader, "html"))),
    }
}

/// Whom to ask about `change`: its `communication.contact`, else the
/// owner team's email; `None` when neither is written.
pub fn contact(model: &Model, change: &Change) -> Option<String> {
    change
        .communication
        .as_ref()
        .and_then(|c| c.contact.clone())
        .or_else(|| model.teams[change.owner.ix].email.clone())
}
