//! Render stage: the built-in templates compiled with askama, for a site
//! whose templates are not overridden.
//!
//! Each `*.html`/`*.txt` file here is the askama twin of the tera template
//! of the same name in `templates/` (the reference, and what users copy):
//! the same text, with tera's truthiness spelt out as Rust conditions
//! (`{% if x %}` is false for none, an empty string or list, and 0) and
//! `{{ none }}` written as nothing. Pages render from the view structs
//! directly, without tera's per-page `Context::from_serialize`; the oracle
//! test (`tests/compiled.rs`) renders every page both ways and compares
//! bytes. askama strips one trailing newline of each file, so each twin ends
//! with one more than its tera template.

use std::fmt::{self, Write};

use askama::Template;

use crate::model::Criticality;
use crate::site::calendar::{CalendarIndex, MonthPage};
use crate::site::lists::{IndexView, RiskReportView, SystemRow, SystemView};
use crate::site::notice::AnnouncementView;
use crate::site::views::{ChangeRow, ChangeView, RollbackView, RunbookView, SiteView};

/// HTML escaping exactly as tera 2's `escape_html`: `&`, `<`, `>`, `"`
/// and `'` (as `&#39;`), nothing else.
#[derive(Debug, Clone, Copy, Default)]
pub struct TeraHtml;

impl askama::filters::Escaper for TeraHtml {
    fn write_escaped_str<W: Write>(&self, mut dest: W, string: &str) -> fmt::Result {
        let bytes = string.as_bytes();
        let mut start = 0;
        for (at, byte) in bytes.iter().enumerate() {
            let escaped = match byte {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                b'\'' => "&#39;",
                _ => continue,
            };
            dest.write_str(&string[start..at])?;
            dest.write_str(escaped)?;
            start = at + 1;
        }
        dest.write_str(&string[start..])
    }

    fn write_escaped_char<W: Write>(&self, dest: W, c: char) -> fmt::Result {
        self.write_escaped_str(dest, c.encode_utf8(&mut [0; 4]))
    }
}

/// What every page shows besides its view (`base.html`).
pub(crate) struct Frame<'a> {
    /// Site-wide facts.
    pub site: &'a SiteView,
    /// Prefix from the page to the site root.
    pub root: &'a str,
    /// The page's title.
    pub title: &'a str,
    /// The section to highlight in the navigation.
    pub section: &'a str,
}

/// A view that may have a compiled template: the page `template` of it,
/// rendered, or `None` when that page family renders with tera.
pub(crate) trait Compiled {
    /// `template` (a built-in name, `system.html`) of this view.
    fn compiled(&self, _template: &str, _frame: &Frame) -> Option<askama::Result<String>> {
        None
    }
}

impl<T: Compiled> Compiled for &T {
    fn compiled(&self, template: &str, frame: &Frame) -> Option<askama::Result<String>> {
        (**self).compiled(template, frame)
    }
}

/// tera's truthiness of an optional text: present and not empty.
fn some<S: AsRef<str>>(text: &Option<S>) -> bool {
    text.as_ref().is_some_and(|t| !t.as_ref().is_empty())
}

/// An optional text as tera writes it: none is nothing.
fn opt<S: AsRef<str>>(text: &Option<S>) -> &str {
    text.as_ref().map_or("", |t| t.as_ref())
}

/// An optional criticality as tera writes it.
fn crit(criticality: &Option<Criticality>) -> &'static str {
    criticality.map_or("", Criticality::name)
}

/// tera's `pluralize`: "" for 1, else "s".
fn plural(n: &usize) -> &'static str {
    if *n == 1 { "" } else { "s" }
}

/// tera's `join(sep=...)` of texts.
fn join<S: AsRef<str>>(items: &[S], sep: &str) -> String {
    let mut out = String::new();
    for (ix, item) in items.iter().enumerate() {
        if ix > 0 {
            out.push_str(sep);
        }
        out.push_str(item.as_ref());
    }
    out
}

macro_rules! page {
    ($name:ident, $view:ty, $path:literal) => {
        #[derive(Template)]
        #[template(path = $path)]
        // The plain-text notice shows no root, title or section.
        #[allow(dead_code)]
        struct $name<'a> {
            site: &'a SiteView,
            root: &'a str,
            title: &'a str,
            section: &'a str,
            view: &'a $view,
        }

        impl<'a> $name<'a> {
            fn new(frame: &Frame<'a>, view: &'a $view) -> Self {
                $name {
                    site: frame.site,
                    root: frame.root,
                    title: frame.title,
                    section: frame.section,
                    view,
                }
            }
        }
    };
}

page!(SystemPage, SystemView, "system.html");

impl Compiled for SystemView {
    fn compiled(&self, template: &str, frame: &Frame) -> Option<askama::Result<String>> {
        (template == "system.html").then(|| SystemPage::new(frame, self).render())
    }
}

page!(ChangePage, ChangeView<'a>, "change.html");

impl Compiled for ChangeView<'_> {
    fn compiled(&self, template: &str, frame: &Frame) -> Option<askama::Result<String>> {
        (template == "change.html").then(|| ChangePage::new(frame, self).render())
    }
}
page!(RollbackPage, RollbackView<'a>, "rollback.html");

impl Compiled for RollbackView<'_> {
    fn compiled(&self, template: &str, frame: &Frame) -> Option<askama::Result<String>> {
        (template == "rollback.html").then(|| RollbackPage::new(frame, self).render())
    }
}

page!(RunbookPage, RunbookView<'a>, "runbook.html");

impl Compiled for RunbookView<'_> {
    fn compiled(&self, template: &str, frame: &Frame) -> Option<askama::Result<String>> {
        (template == "runbook.html").then(|| RunbookPage::new(frame, self).render())
    }
}

page!(AnnouncementPage, AnnouncementView<'a>, "announcement.html");
page!(AnnouncementText, AnnouncementView<'a>, "announcement.txt");

impl Compiled for AnnouncementView<'_> {
    fn compiled(&self, template: &str, frame: &Frame) -> Option<askama::Result<String>> {
        match template {
            "announcement.html" => Some(AnnouncementPage::new(frame, self).render()),
            "announcement.txt" => Some(AnnouncementText::new(frame, self).render()),
            _ => None,
        }
    }
}

page!(RisksPage, RiskReportView, "risks.html");

impl Compiled for RiskReportView {
    fn compiled(&self, template: &str, frame: &Frame) -> Option<askama::Result<String>> {
        (template == "risks.html").then(|| RisksPage::new(frame, self).render())
    }
}

page!(SystemsPage, Vec<SystemRow>, "systems.html");

impl Compiled for Vec<SystemRow> {
    fn compiled(&self, template: &str, frame: &Frame) -> Option<askama::Result<String>> {
        (template == "systems.html").then(|| SystemsPage::new(frame, self).render())
    }
}

page!(ChangesPage, Vec<ChangeRow>, "changes.html");

impl Compiled for Vec<ChangeRow> {
    fn compiled(&self, template: &str, frame: &Frame) -> Option<askama::Result<String>> {
        (template == "changes.html").then(|| ChangesPage::new(frame, self).render())
    }
}

// Rendered with tera, the compiled and the overridden site alike: one
// page each, whose time is in building the view.
impl Compiled for IndexView {}
impl Compiled for CalendarIndex {}
impl Compiled for MonthPage {}
