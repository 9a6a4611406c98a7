//! Render and write stages: the static site of outputs.md.
//!
//! Views are built in Rust (`views`, `lists`), laid out by tera templates
//! (built in, overridable file by file; while none is overridden, the page
//! families of `compiled` render with askama twins of the built-in
//! templates instead, byte for byte the same), rendered in parallel with rayon,
//! and each page is written by the job that rendered it into a fresh folder
//! that replaces the previous site only when everything succeeded. Formats with a strict
//! syntax (ICS, Atom, JSON) come from Rust, not templates.

pub mod atom;
pub mod calendar;
mod compiled;
pub mod data;
pub mod deadline;
pub mod events;
pub mod ics;
pub mod lists;
pub mod markdown;
pub mod notice;
pub mod status;
pub mod svg;
#[cfg(test)]
mod test_support;
pub mod timeline;
pub mod views;
pub mod write;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::base::{Family, Level};
use crate::check::Checked;
use crate::model::{Model, slug};
use views::{ChangeCtx, SiteView};
use write::{Output, Sink};

/// Built-in templates: (name, text).
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    (
        "status_banner.html",
        include_str!("../../templates/status_banner.html"),
    ),
    ("macros.html", include_str!("../../templates/macros.html")),
    (
        "change_nav.html",
        include_str!("../../templates/change_nav.html"),
    ),
    (
        "phase_table.html",
        include_str!("../../templates/phase_table.html"),
    ),
    ("index.html", include_str!("../../templates/index.html")),
    (
        "flagged_rows.html",
        include_str!("../../templates/flagged_rows.html"),
    ),
    ("changes.html", include_str!("../../templates/changes.html")),
    ("change.html", include_str!("../../templates/change.html")),
    ("runbook.html", include_str!("../../templates/runbook.html")),
    (
        "rollback.html",
        include_str!("../../templates/rollback.html"),
    ),
    (
        "announcement.html",
        include_str!("../../templates/announcement.html"),
    ),
    (
        "announcement.txt",
        include_str!("../../templates/announcement.txt"),
    ),
    ("systems.html", include_str!("../../templates/systems.html")),
    ("system.html", include_str!("../../templates/system.html")),
    (
        "calendar.html",
        include_str!("../../templates/calendar.html"),
    ),
    (
        "calendar_month.html",
        include_str!("../../templates/calendar_month.html"),
    ),
    (
        "month_grid.html",
        include_str!("../../templates/month_grid.html"),
    ),
    (
        "calendar_legend.html",
        include_str!("../../templates/calendar_legend.html"),
    ),
    (
        "timeline_legend.html",
        include_str!("../../templates/timeline_legend.html"),
    ),
    ("risks.html", include_str!("../../templates/risks.html")),
    (
        "risk_pager.html",
        include_str!("../../templates/risk_pager.html"),
    ),
    (
        "list_pager.html",
        include_str!("../../templates/list_pager.html"),
    ),
];

/// The stylesheet, copied as `style.css` (overridable like a template).
const STYLE: &str = include_str!("../../templates/style.css");

/// Why a build did not write a site.
#[derive(Debug)]
pub enum BuildError {
    /// The plan has errors (exit 1).
    Refused(String),
    /// Templates or output could not be handled (exit 2).
    Failed(String),
}

/// The templates a site renders with.
pub struct Templates {
    /// Every template for tera: the built-in ones, and the user's files of
    /// the same name in their place.
    pub tera: tera::Tera,
    /// The stylesheet, copied as `style.css`.
    pub style: String,
    /// No template but the stylesheet is overridden: the built-in pages
    /// that have a compiled twin render with it instead of tera (the same
    /// bytes, without tera's per-page context). False renders every page
    /// through tera.
    pub compiled: bool,
}

/// Loads the built-in templates, then every file of `overrides` (the
/// user's `templates/` folder), whose names win.
pub fn templates(overrides: &[&Path]) -> Result<Templates, String> {
    let mut sources: std::collections::BTreeMap<String, String> = TEMPLATES
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    let mut style = STYLE.to_string();
    let mut compiled = true;
    for dir in overrides.iter().filter(|d| d.is_dir()) {
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name().into_iter() {
            let entry =
                entry.map_err(|e| format!("cannot read templates in `{}`: {e}", dir.display()))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(dir)
                .unwrap_or(entry.path())
                .to_string_lossy()
                .replace('\\', "/");
            let text = crate::base::fsio::read(entry.path()).map_err(|e| e.to_string())?;
            let text = String::from_utf8(text)
                .map_err(|_| format!("template `{}` is not UTF-8", entry.path().display()))?;
            if rel == "style.css" {
                style = text;
            } else {
                sources.insert(rel, text);
                compiled = false;
            }
        }
    }
    let mut tera = tera::Tera::new();
    tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        .map_err(|e| format!("a template does not compile: {}", error_chain(&e)))?;
    Ok(Templates {
        tera,
        style,
        compiled,
    })
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[derive(Serialize)]
struct PageContext<'a, V: Serialize> {
    site: &'a SiteView,
    /// Prefix from the page to the site root: "", "../", "../../".
    root: &'a str,
    title: String,
    /// The section to highlight in the navigation.
    section: &'static str,
    view: V,
    /// Where a page of a paged list (changes, systems) stands among its
    /// pages; none for every other page and for a list of one page.
    pager: Option<&'a lists::Pager>,
}

/// Renders pages with the site's templates and site-wide facts.
struct Renderer<'a> {
    tera: &'a tera::Tera,
    site: &'a SiteView,
    /// Use the compiled twin of a template where there is one.
    compiled: bool,
}

impl Renderer<'_> {
    /// What every page shows around its view.
    fn frame<'f>(&'f self, root: &'f str, title: &'f str, section: &'f str) -> compiled::Frame<'f> {
        compiled::Frame {
            site: self.site,
            root,
            title,
            section,
            pager: None,
        }
    }

    fn page<V: Serialize + compiled::Compiled>(
        &self,
        template: &str,
        path: String,
        root: &str,
        title: String,
        section: &'static str,
        view: V,
    ) -> Result<Output, String> {
        self.paged(template, path, root, title, section, view, None)
    }

    /// [`Renderer::page`] of a page of a paged list.
    #[allow(clippy::too_many_arguments)]
    fn paged<V: Serialize + compiled::Compiled>(
        &self,
        template: &str,
        path: String,
        root: &str,
        title: String,
        section: &'static str,
        view: V,
        pager: Option<&lists::Pager>,
    ) -> Result<Output, String> {
        if self.compiled {
            let mut frame = self.frame(root, &title, section);
            frame.pager = pager;
            if let Some(text) = view.compiled(template, &frame) {
                let text =
                    text.map_err(|e| format!("cannot render {path} with `{template}`: {e}"))?;
                return Ok(Output {
                    path,
                    bytes: text.into_bytes(),
                });
            }
        }
        let context = tera::Context::from_serialize(&PageContext {
            site: self.site,
            root,
            title,
            section,
            view,
            pager,
        })
        .map_err(|e| format!("cannot build the context of {path}: {}", error_chain(&e)))?;
        let text = self.tera.render(template, &context).map_err(|e| {
            format!(
                "cannot render {path} with `{template}`: {}",
                error_chain(&e)
            )
        })?;
        Ok(Output {
            path,
            bytes: text.into_bytes(),
        })
    }
}

/// One page to render.
enum Job {
    Index,
    /// A page of the list of changes, by number from 1.
    Changes(usize),
    Change(usize),
    /// A page of the list of systems, by number from 1.
    Systems(usize),
    System(usize),
    Calendar,
    /// `calendar/YYYY-MM.html`, by position in the plan's months.
    Month(usize),
    /// A page of the risk report, by number from 1.
    Risks(usize),
    Ics,
    /// `calendar/<audience>.ics`.
    AudienceIcs(usize),
    Feed,
    Data,
}

impl Job {
    /// The kinds of job, for the timings.
    const KINDS: &'static [&'static str] = &[
        "dashboard",
        "change list",
        "change pages",
        "system list",
        "system pages",
        "calendar",
        "calendar months",
        "risk report",
        "calendar.ics",
        "audience calendars",
        "feed",
        "data.json",
    ];

    fn kind(&self) -> usize {
        match self {
            Job::Index => 0,
            Job::Changes(_) => 1,
            Job::Change(_) => 2,
            Job::Systems(_) => 3,
            Job::System(_) => 4,
            Job::Calendar => 5,
            Job::Month(_) => 6,
            Job::Risks(_) => 7,
            Job::Ics => 8,
            Job::AudienceIcs(_) => 9,
            Job::Feed => 10,
            Job::Data => 11,
        }
    }
}

/// Renders every page and file of the site into memory, in parallel;
/// sorted by path.
pub fn render_site(checked: &Checked, templates: &Templates) -> Result<Vec<Output>, String> {
    let sink = write::MemorySink::default();
    render_into(checked, templates, &sink)?;
    Ok(sink.into_sorted())
}

/// Why a job of [`render_into`] failed: a page that cannot be rendered is
/// told before a file that cannot be written.
enum Failure {
    Render(String),
    Put(String),
}

/// Renders every page and file of the site in parallel, each handed to
/// `sink` by the job that rendered it; how many files there are. On
/// failure, the first page in job order that cannot be rendered, else the
/// first file that cannot be put.
pub fn render_into(
    checked: &Checked,
    templates: &Templates,
    sink: &dyn Sink,
) -> Result<usize, String> {
    let model = &checked.model;
    let site = SiteView {
        title: model.config.site.title.clone(),
        as_of: checked.as_of.to_string(),
        language: model.config.site.language.clone(),
        summary: crate::base::Summary::of(&checked.findings),
        has_errors: checked.has_errors(),
    };
    let by_change = crate::base::finding::by_change(&checked.findings);
    let (system_place, system_order) = system_places(model, &checked.facts.system_rank);
    let shown: Vec<Vec<usize>> = checked
        .facts
        .changes
        .par_iter()
        .map(|facts| views::shown_systems(facts, &system_place, &system_order))
        .collect();
    let (system_index, shown_paths) = lists::SystemIndex::new(checked, &shown);
    let contexts: Vec<ChangeCtx> = model
        .changes
        .iter()
        .enumerate()
        .zip(shown.into_iter().zip(shown_paths))
        .map(|((ix, change), (shown, shown_paths))| ChangeCtx {
            checked,
            ix,
            change,
            facts: &checked.facts.changes[ix],
            findings: by_change
                .get(change.id.value.as_str())
                .cloned()
                .unwrap_or_default(),
            shown,
            shown_paths,
        })
        .collect();
    let r = Renderer {
        tera: &templates.tera,
        site: &site,
        compiled: templates.compiled,
    };
    let change_rows = lists::changes_view(&contexts);
    let system_rows = lists::systems_view(checked, &system_index);
    let mut jobs = vec![Job::Index, Job::Calendar, Job::Ics, Job::Feed, Job::Data];
    let risk_order = lists::risk_order(checked);
    // The audience calendars early, so that the events they share with
    // `calendar.ics` are dropped early (see `Lent`).
    jobs.extend((0..model.audiences.len()).map(Job::AudienceIcs));
    jobs.extend((1..=lists::risk_page_count(risk_order.changes.len())).map(Job::Risks));
    jobs.extend((1..=lists::list_page_count(change_rows.len())).map(Job::Changes));
    jobs.extend((1..=lists::list_page_count(system_rows.len())).map(Job::Systems));
    jobs.extend((0..model.changes.len()).map(Job::Change));
    let plan = calendar::Plan::new(checked);
    jobs.extend((0..plan.months.len()).map(Job::Month));
    jobs.extend((0..model.systems.len()).map(Job::System));

    // Per audience, the changes that impact it, in the order of the model.
    let mut impacting: Vec<Vec<usize>> = vec![Vec::new(); model.audiences.len()];
    for (c, facts) in checked.facts.changes.iter().enumerate() {
        for &a in &facts.impact.audiences {
            impacting[a].push(c);
        }
    }

    // Per change, the audiences with a copy of their own, found once (not
    // once per audience and change).
    let zoned: Vec<Vec<usize>> = contexts.par_iter().map(notice::zoned).collect();
    // The events of `calendar.ics`, made before the jobs: an audience's
    // calendar shares those of the changes it reads as everyone does.
    let everyone_events = Lent::new(ics_events(checked, &contexts), 1 + model.audiences.len());
    let render_job = |job: &Job| -> Result<Vec<Output>, String> {
        Ok(match job {
            Job::Index => {
                let rows: Vec<_> = contexts.iter().map(|cx| cx.row("")).collect();
                vec![r.page(
                    "index.html",
                    "index.html".into(),
                    "",
                    site.title.clone(),
                    "home",
                    lists::index_view(checked, &rows),
                )?]
            }
            Job::Change(ix) => change_pages(&r, &contexts[*ix])?,
            Job::Changes(number) => {
                let (rows, pager) = lists::list_page(&change_rows, *number);
                vec![r.paged(
                    "changes.html",
                    format!("changes/{}", lists::list_page_file(*number)),
                    "../",
                    list_title("All changes", *number),
                    "changes",
                    rows,
                    pager.as_ref(),
                )?]
            }
            Job::Systems(number) => {
                let (rows, pager) = lists::list_page(&system_rows, *number);
                vec![r.paged(
                    "systems.html",
                    format!("systems/{}", lists::list_page_file(*number)),
                    "../",
                    list_title("Systems", *number),
                    "systems",
                    rows,
                    pager.as_ref(),
                )?]
            }
            Job::System(s) => {
                let system = &model.systems[*s];
                let view = lists::system_view(checked, &system_index, *s);
                vec![r.page(
                    "system.html",
                    format!("systems/{}.html", slug(&system.id.value)),
                    "../",
                    format!("{} ({})", system.name, system.id.value),
                    "systems",
                    view,
                )?]
            }
            Job::Calendar => vec![r.page(
                "calendar.html",
                "calendar/index.html".into(),
                "../",
                "Change calendar".into(),
                "calendar",
                calendar::index(&plan),
            )?],
            Job::Month(i) => {
                let (path, view) = calendar::month_page(&plan, *i);
                let title = format!("Calendar: {}", view.month.title);
                vec![r.page("calendar_month.html", path, "../", title, "calendar", view)?]
            }
            Job::Risks(number) => {
                vec![r.page(
                    "risks.html",
                    format!("risks/{}", lists::risk_page_file(*number)),
                    "../",
                    list_title("Risk report", *number),
                    "risks",
                    lists::risk_report(checked, &contexts, &risk_order, *number),
                )?]
            }
            // Written as they are made, by the caller.
            Job::Ics | Job::AudienceIcs(_) => Vec::new(),
            Job::Feed => vec![Output {
                path: "feed.xml".into(),
                bytes: atom::feed(checked).into_bytes(),
            }],
            // Written as it is made, by the caller.
            Job::Data => Vec::new(),
        })
    };
    let tally = crate::base::timings::Tally::new("render", Job::KINDS);
    let results: Vec<Result<usize, Failure>> = jobs
        .par_iter()
        .map(|job| {
            tally.time(job.kind(), || {
                if let Job::Ics = job {
                    let written = everyone_events.with(|everyone| {
                        let title = &model.config.site.title;
                        let mut fill = |out: &mut dyn std::io::Write| {
                            ics::write_calendar(out, title, everyone)
                        };
                        sink.put_written("calendar.ics", &mut fill)
                    });
                    written.map_err(Failure::Put)?;
                    return Ok(1);
                }
                if let Job::AudienceIcs(a) = job {
                    let written = everyone_events.with(|everyone| {
                        let parts = audience_events(
                            checked,
                            &contexts,
                            &zoned,
                            everyone,
                            *a,
                            &impacting[*a],
                        );
                        let title =
                            format!("{}: {}", model.config.site.title, model.audiences[*a].name);
                        let mut fill =
                            |out: &mut dyn std::io::Write| ics::write_calendar(out, &title, &parts);
                        sink.put_written(&notice::feed_path(&model.audiences[*a]), &mut fill)
                    });
                    written.map_err(Failure::Put)?;
                    return Ok(1);
                }
                if let Job::Data = job {
                    let mut fill =
                        |out: &mut dyn std::io::Write| data::write_document(checked, out);
                    sink.put_written("data.json", &mut fill)
                        .map_err(Failure::Put)?;
                    return Ok(1);
                }
                if let Job::Risks(number) = job
                    && r.compiled
                {
                    // Written as it renders: the pages with the most findings
                    // are never held whole.
                    let view = lists::risk_report(checked, &contexts, &risk_order, *number);
                    let title = list_title("Risk report", *number);
                    let frame = r.frame("../", &title, "risks");
                    let mut fill = |out: &mut dyn std::io::Write| view.write_compiled(&frame, out);
                    sink.put_written(
                        &format!("risks/{}", lists::risk_page_file(*number)),
                        &mut fill,
                    )
                    .map_err(Failure::Put)?;
                    return Ok(1);
                }
                let outputs = render_job(job).map_err(Failure::Render)?;
                let count = outputs.len();
                for output in outputs {
                    sink.put(markup_safe(output)).map_err(Failure::Put)?;
                }
                Ok(count)
            })
        })
        .collect();
    tally.end();
    let mut count = 1;
    let mut put_failure = None;
    for result in results {
        match result {
            Ok(n) => count += n,
            Err(Failure::Render(message)) => return Err(message),
            Err(Failure::Put(message)) => put_failure = put_failure.or(Some(message)),
        }
    }
    if let Some(message) = put_failure {
        return Err(message);
    }
    sink.put(Output {
        path: "style.css".into(),
        bytes: templates.style.as_bytes().to_vec(),
    })?;
    Ok(count)
}

/// The title of page `number` (from 1) of a list or of the risk report.
fn list_title(list: &str, number: usize) -> String {
    if number <= 1 {
        list.into()
    } else {
        format!("{list}, page {number}")
    }
}

/// The output with every character that XML or HTML forbids removed: no
/// page, feed, calendar or text file holds one, whatever the inventory or a
/// template wrote (`data.json` escapes them itself; the stylesheet is
/// copied as is).
fn markup_safe(mut output: Output) -> Output {
    if output.path != "data.json"
        && output.path != "style.css"
        && let Ok(text) = std::str::from_utf8(&output.bytes)
        && let std::borrow::Cow::Owned(clean) = crate::base::text::markup_safe(text)
    {
        output.bytes = clean.into_bytes();
    }
    output
}

/// The pages of one change: its overview, rollback checklist, runbook
/// parts and announcements. What several of them show (the phases with
/// their steps and checks as HTML, findings and systems, the views of the
/// findings, the row, the texts as HTML and plain text) is built once here
/// and lent to every page that shows it.
fn change_pages(r: &Renderer, cx: &ChangeCtx) -> Result<Vec<Output>, String> {
    let dir = format!("changes/{}", slug(&cx.change.id.value));
    let id = &cx.change.id.value;
    let title = &cx.change.title;
    let findings = views::ChangeFindings::new(cx);
    let shared = views::ChangeShared::new(cx, "../../", &findings);
    let mut pages = vec![
        r.page(
            "change.html",
            format!("{dir}/index.html"),
            "../../",
            format!("{id}: {title}"),
            "changes",
            views::change_view(cx, "../../", &shared),
        )?,
        r.page(
            "rollback.html",
            format!("{dir}/rollback.html"),
            "../../",
            format!("Rollback {id}: {title}"),
            "changes",
            views::rollback_view(cx, &shared),
        )?,
    ];
    for (file, view) in views::runbook_views(cx, "../../", &shared) {
        let title = if view.parts > 1 {
            format!(
                "Runbook {id} (part {} of {}): {title}",
                view.part, view.parts
            )
        } else {
            format!("Runbook {id}: {title}")
        };
        pages.push(r.page(
            "runbook.html",
            format!("{dir}/{file}"),
            "../../",
            title,
            "changes",
            view,
        )?);
    }
    // The announcement, then each zoned audience's copy: one view for both
    // forms of each.
    let readers = std::iter::once(None).chain(notice::zoned(cx).into_iter().map(Some));
    for reader in readers {
        let audience = reader.map(|a| &cx.model().audiences[a]);
        let view = notice::announcement_view(cx, "../../", reader, &shared);
        let prefix = view.status.prefix.unwrap_or_default();
        let html = r.page(
            "announcement.html",
            notice::announcement_path(cx.change, audience, "html"),
            "../../",
            format!("Announcement {id}: {prefix}{title}"),
            "changes",
            &view,
        )?;
        let txt = r.page(
            "announcement.txt",
            notice::announcement_path(cx.change, audience, "txt"),
            "../../",
            format!("{prefix}{id}: {title}"),
            "changes",
            &view,
        )?;
        pages.push(html);
        pages.push(txt);
    }
    Ok(pages)
}

/// The events of `calendar.ics`: every change, each phase and monitoring
/// period, made on every core change by change.
fn ics_events(checked: &Checked, contexts: &[ChangeCtx]) -> Vec<ics::Events> {
    let dtstamp = events::dtstamp(checked);
    contexts
        .par_iter()
        .map(|cx| {
            let page = notice::announcement_path(cx.change, None, "html");
            let mut part = ics::Events::default();
            for event in events::change_events(cx, None, &page) {
                part.push(&event, dtstamp);
            }
            part
        })
        .collect()
}

/// Events lent to the calendar jobs; the last of them to finish drops
/// them, so that they do not stay for the rest of the render.
struct Lent {
    events: std::sync::RwLock<Option<Vec<ics::Events>>>,
    users: std::sync::atomic::AtomicUsize,
}

impl Lent {
    fn new(events: Vec<ics::Events>, users: usize) -> Lent {
        Lent {
            events: std::sync::RwLock::new(Some(events)),
            users: users.into(),
        }
    }

    /// Runs `use_them` on the events, as one of the users.
    fn with<T>(&self, use_them: impl FnOnce(&[ics::Events]) -> T) -> T {
        let value = {
            let events = self.events.read().unwrap_or_else(|e| e.into_inner());
            use_them(events.as_deref().unwrap_or_default())
        };
        if self.users.fetch_sub(1, std::sync::atomic::Ordering::AcqRel) == 1 {
            self.events
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .take();
        }
        value
    }
}

/// The events of `calendar/<audience>.ics`: the changes that impact audience `a`, its
/// times first and its copy of the notice where it has one. A change the
/// audience reads as everyone does (no copy of its own, its zone the
/// change's or none) lends the events of `calendar.ics` (`everyone`).
fn audience_events<'e>(
    checked: &Checked,
    contexts: &[ChangeCtx],
    zoned: &[Vec<usize>],
    everyone: &'e [ics::Events],
    a: usize,
    changes: &[usize],
) -> Vec<std::borrow::Cow<'e, ics::Events>> {
    let audience = &checked.model.audiences[a];
    let dtstamp = events::dtstamp(checked);
    changes
        .par_iter()
        .map(|&c| {
            let cx = &contexts[c];
            let copy = zoned[c].contains(&a).then_some(audience);
            let zone = audience.timezone.as_ref().map(|z| z.value.tz.iana_name());
            let as_everyone = copy.is_none()
                && zone.is_none_or(|name| name.is_some() && name == cx.facts.tz.iana_name());
            if as_everyone {
                return std::borrow::Cow::Borrowed(&everyone[c]);
            }
            let page = notice::announcement_path(cx.change, copy, "html");
            let mut part = ics::Events::default();
            for event in events::change_events(cx, Some(a), &page) {
                part.push(&event, dtstamp);
            }
            std::borrow::Cow::Owned(part)
        })
        .collect()
}

/// The folders whose templates override the built-in ones, in order of
/// precedence from low to high: `<INVENTORY>/templates/`, then `--templates`.
pub fn template_overrides(inventory: &Path, flag: Option<&Path>) -> Result<Vec<PathBuf>, String> {
    let mut overrides = vec![inventory.join("templates")];
    if let Some(dir) = flag {
        if !dir.is_dir() {
            return Err(format!("--templates `{}` is not a folder", dir.display()));
        }
        overrides.push(dir.to_path_buf());
    }
    Ok(overrides)
}

/// Why `checked` may not be rendered, if it may not: loading errors always
/// refuse a build, plan errors unless `allow_errors`.
pub fn refusal(checked: &Checked, allow_errors: bool) -> Option<String> {
    let loading = checked
        .findings
        .iter()
        .filter(|f| f.rule.family() == Family::Loading)
        .count();
    if loading > 0 {
        return Some(format!(
            "the inventory has {loading} loading error{}; nothing was written (the previous site is untouched)",
            if loading == 1 { "" } else { "s" }
        ));
    }
    let errors = checked
        .findings
        .iter()
        .filter(|f| f.level == Level::Error)
        .count();
    if errors > 0 && !allow_errors {
        return Some(format!(
            "the plan has {errors} error{}; nothing was written (the previous site is untouched); pass --allow-errors to render them",
            if errors == 1 { "" } else { "s" }
        ));
    }
    None
}

/// Checks, refuses or renders, and writes the site to `out`.
pub fn build(
    checked: &Checked,
    out: &Path,
    overrides: &[&Path],
    allow_errors: bool,
) -> Result<usize, BuildError> {
    if let Some(message) = refusal(checked, allow_errors) {
        return Err(BuildError::Refused(message));
    }
    // A refused `--out` is told before the site is rendered.
    let out = write::normalise(out).map_err(BuildError::Failed)?;
    let templates = templates(overrides).map_err(BuildError::Failed)?;
    crate::base::memory::enter(crate::base::memory::Stage::Render);
    let stage = crate::base::timings::start("render and write");
    let count = write::replace_dir_with(&out, |sink| render_into(checked, &templates, sink))
        .map_err(BuildError::Failed)?;
    stage.end();
    Ok(count)
}

/// Every system's place in the order its change pages list impacted
/// systems (criticality, highest first, then id), and the systems in that
/// order.
pub(crate) fn system_places(model: &Model, rank: &[u32]) -> (Vec<u32>, Vec<usize>) {
    let mut order: Vec<usize> = (0..model.systems.len()).collect();
    order.sort_unstable_by_key(|&s| {
        (
            std::cmp::Reverse(model.systems[s].criticality.value),
            rank[s],
        )
    });
    let mut place = vec![0u32; order.len()];
    for (at, &s) in order.iter().enumerate() {
        place[s] = u32::try_from(at).unwrap_or(u32::MAX);
    }
    (place, order)
}
