//! Render and write stages: the static site of outputs.md.
//!
//! Views are built in Rust (`views`, `lists`), laid out by tera templates
//! (built in, overridable file by file), rendered in parallel with rayon,
//! collected, sorted by path, and written into a fresh folder that replaces
//! the previous site only when everything succeeded. Formats with a strict
//! syntax (ICS, Atom, JSON) come from Rust, not templates.

pub mod atom;
pub mod data;
pub mod ics;
pub mod lists;
pub mod markdown;
pub mod svg;
pub mod views;
pub mod write;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::base::{Family, Level};
use crate::check::Checked;
use crate::model::slug;
use views::{ChangeCtx, SiteView};
use write::Output;

/// Built-in templates: (name, text).
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
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
    ("risks.html", include_str!("../../templates/risks.html")),
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

/// Loads the built-in templates, then every file of `overrides` (the
/// user's `templates/` folder), whose names win.
pub fn templates(overrides: &[&Path]) -> Result<(tera::Tera, String), String> {
    let mut sources: std::collections::BTreeMap<String, String> = TEMPLATES
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    let mut style = STYLE.to_string();
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
            }
        }
    }
    let mut tera = tera::Tera::new();
    tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        .map_err(|e| format!("a template does not compile: {}", error_chain(&e)))?;
    Ok((tera, style))
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
}

/// Renders pages with the site's templates and site-wide facts.
struct Renderer<'a> {
    tera: &'a tera::Tera,
    site: &'a SiteView,
}

impl Renderer<'_> {
    fn page<V: Serialize>(
        &self,
        template: &str,
        path: String,
        root: &str,
        title: String,
        section: &'static str,
        view: V,
    ) -> Result<Output, String> {
        let context = tera::Context::from_serialize(&PageContext {
            site: self.site,
            root,
            title,
            section,
            view,
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
    Changes,
    Change(usize),
    Systems,
    System(usize),
    Calendar,
    Risks,
    Ics,
    Feed,
    Data,
}

/// Renders every page and file of the site into memory, in parallel.
pub fn render_site(
    checked: &Checked,
    tera: &tera::Tera,
    style: &str,
) -> Result<Vec<Output>, String> {
    let model = &checked.model;
    let site = SiteView {
        title: model.config.site.title.clone(),
        as_of: checked.as_of.to_string(),
        language: model.config.site.language.clone(),
        summary: crate::base::Summary::of(&checked.findings),
        has_errors: checked.has_errors(),
    };
    let by_change = crate::base::finding::by_change(&checked.findings);
    let contexts: Vec<ChangeCtx> = model
        .changes
        .iter()
        .enumerate()
        .map(|(ix, change)| ChangeCtx {
            checked,
            ix,
            change,
            facts: &checked.facts.changes[ix],
            findings: by_change
                .get(change.id.value.as_str())
                .cloned()
                .unwrap_or_default(),
        })
        .collect();
    let system_index = lists::SystemIndex::new(checked);
    let r = Renderer { tera, site: &site };
    let mut jobs = vec![
        Job::Index,
        Job::Changes,
        Job::Systems,
        Job::Calendar,
        Job::Risks,
        Job::Ics,
        Job::Feed,
        Job::Data,
    ];
    jobs.extend((0..model.changes.len()).map(Job::Change));
    jobs.extend((0..model.systems.len()).map(Job::System));

    let results: Vec<Result<Vec<Output>, String>> = jobs
        .par_iter()
        .map(|job| -> Result<Vec<Output>, String> {
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
                Job::Changes => {
                    vec![r.page(
                        "changes.html",
                        "changes/index.html".into(),
                        "../",
                        "All changes".into(),
                        "changes",
                        lists::changes_view(&contexts),
                    )?]
                }
                Job::Change(ix) => change_pages(&r, &contexts[*ix])?,
                Job::Systems => {
                    vec![r.page(
                        "systems.html",
                        "systems/index.html".into(),
                        "../",
                        "Systems".into(),
                        "systems",
                        lists::systems_view(model),
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
                    lists::calendar_view(checked, "../"),
                )?],
                Job::Risks => {
                    vec![r.page(
                        "risks.html",
                        "risks/index.html".into(),
                        "../",
                        "Risk report".into(),
                        "risks",
                        lists::risk_report(checked, &contexts),
                    )?]
                }
                Job::Ics => vec![Output {
                    path: "calendar.ics".into(),
                    bytes: ics_file(checked, &contexts).into_bytes(),
                }],
                Job::Feed => vec![Output {
                    path: "feed.xml".into(),
                    bytes: atom::feed(checked).into_bytes(),
                }],
                Job::Data => vec![Output {
                    path: "data.json".into(),
                    bytes: data::document(checked).into_bytes(),
                }],
            })
        })
        .collect();
    let mut outputs = vec![Output {
        path: "style.css".into(),
        bytes: style.as_bytes().to_vec(),
    }];
    for result in results {
        outputs.extend(result?);
    }
    // No page, feed, calendar or text file holds a character that XML or
    // HTML forbids, whatever the inventory or a template wrote
    // (`data.json` escapes them itself; the stylesheet is copied as is).
    for output in &mut outputs {
        if output.path != "data.json"
            && output.path != "style.css"
            && let Ok(text) = std::str::from_utf8(&output.bytes)
            && let std::borrow::Cow::Owned(clean) = crate::base::text::markup_safe(text)
        {
            output.bytes = clean.into_bytes();
        }
    }
    outputs.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(outputs)
}

fn change_pages(r: &Renderer, cx: &ChangeCtx) -> Result<Vec<Output>, String> {
    // One view for both forms of the announcement.
    let announcement = views::announcement_view(cx, "../../");
    let dir = format!("changes/{}", slug(&cx.change.id.value));
    let id = &cx.change.id.value;
    let title = &cx.change.title;
    Ok(vec![
        r.page(
            "change.html",
            format!("{dir}/index.html"),
            "../../",
            format!("{id}: {title}"),
            "changes",
            views::change_view(cx, "../../"),
        )?,
        r.page(
            "runbook.html",
            format!("{dir}/runbook.html"),
            "../../",
            format!("Runbook {id}: {title}"),
            "changes",
            views::runbook_view(cx, "../../"),
        )?,
        r.page(
            "rollback.html",
            format!("{dir}/rollback.html"),
            "../../",
            format!("Rollback {id}: {title}"),
            "changes",
            views::rollback_view(cx, "../../"),
        )?,
        r.page(
            "announcement.html",
            format!("{dir}/announcement.html"),
            "../../",
            format!("Announcement {id}: {title}"),
            "changes",
            &announcement,
        )?,
        r.page(
            "announcement.txt",
            format!("{dir}/announcement.txt"),
            "../../",
            format!("{id}: {title}"),
            "changes",
            &announcement,
        )?,
    ])
}

/// One event per phase and one per monitoring period, for changes that
/// are not cancelled.
fn ics_file(checked: &Checked, contexts: &[ChangeCtx]) -> String {
    let model = &checked.model;
    let base = model.config.site.base_url.clone().unwrap_or_default();
    let mut events = Vec::new();
    for cx in contexts {
        let change = cx.change;
        if change.status.value == crate::model::Status::Cancelled {
            continue;
        }
        let s = slug(&change.id.value);
        let url = format!("{base}changes/{s}/runbook.html");
        let status = match change.status.value {
            crate::model::Status::Draft | crate::model::Status::Proposed => "TENTATIVE",
            _ => "CONFIRMED",
        };
        for p in cx.facts.phase_order() {
            let phase = &cx.facts.phases[p];
            events.push(ics::Event {
                // By written position, so moving a phase in time keeps its UID.
                uid: format!("{s}-phase-{}@cutover", p + 1),
                summary: format!(
                    "{}: {} – {}",
                    change.id.value, change.title, change.phases[p].name
                ),
                description: format!("{}\n\nRunbook: {url}", change.summary),
                start: phase.start.clone(),
                end: phase.end.clone(),
                url: Some(url.clone()),
                categories: vec!["change".into()],
                status: Some(status),
            });
        }
        if let (Some(end), Some(duration)) = (
            cx.facts.last_end(),
            change.monitoring.as_ref().and_then(|m| m.duration.as_ref()),
        ) {
            events.push(ics::Event {
                uid: format!("{s}-monitoring@cutover"),
                summary: format!("{}: monitoring after {}", change.id.value, change.title),
                description: format!(
                    "Watch the change for {} after its last phase.\n\nRunbook: {url}",
                    duration.value
                ),
                start: end.clone(),
                end: duration.value.after(end),
                url: Some(url.clone()),
                categories: vec!["monitoring".into()],
                status: Some(status),
            });
        }
    }
    let dtstamp = crate::base::time::resolve_local(
        &jiff::tz::TimeZone::UTC,
        checked.as_of.to_datetime(jiff::civil::Time::midnight()),
    )
    .timestamp();
    ics::calendar(&model.config.site.title, &events, dtstamp)
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

/// Checks, refuses or renders, and writes the site to `out`.
pub fn build(
    checked: &Checked,
    out: &Path,
    overrides: &[&Path],
    allow_errors: bool,
) -> Result<usize, BuildError> {
    let loading = checked
        .findings
        .iter()
        .filter(|f| f.rule.family() == Family::Loading)
        .count();
    if loading > 0 {
        return Err(BuildError::Refused(format!(
            "the inventory has {loading} loading error{}; nothing was written (the previous site is untouched)",
            if loading == 1 { "" } else { "s" }
        )));
    }
    let errors = checked
        .findings
        .iter()
        .filter(|f| f.level == Level::Error)
        .count();
    if errors > 0 && !allow_errors {
        return Err(BuildError::Refused(format!(
            "the plan has {errors} error{}; nothing was written (the previous site is untouched); pass --allow-errors to render them",
            if errors == 1 { "" } else { "s" }
        )));
    }
    let (tera, style) = templates(overrides).map_err(BuildError::Failed)?;
    let outputs = render_site(checked, &tera, &style).map_err(BuildError::Failed)?;
    write::replace_dir(out, &outputs).map_err(BuildError::Failed)?;
    Ok(outputs.len())
}
