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
use crate::site::lists::{IndexView, Pager, RiskReportView, SystemRow, SystemView};
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
    /// Where a page of a paged list stands among its pages (see
    /// `PageContext`).
    pub pager: Option<&'a Pager>,
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
            pager: Option<&'a Pager>,
        }

        impl<'a> $name<'a> {
            fn new(frame: &Frame<'a>, view: &'a $view) -> Self {
                $name {
                    site: frame.site,
                    root: frame.root,
                    title: frame.title,
                    section: frame.section,
                    view,
                    pager: frame.pager,
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

impl RiskReportView {
    /// The built-in risk report, written to `out` as it renders (the
    /// report grows with the findings: 15 MB for the generated inventory),
    /// with the characters markup refuses replaced as
    /// [`crate::base::text::markup_safe`] replaces them in every page.
    pub(crate) fn write_compiled(
        &self,
        frame: &Frame,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        let mut safe = MarkupSafe { out, error: None };
        match RisksPage::new(frame, self).render_into(&mut safe) {
            Ok(()) => Ok(()),
            Err(e) => Err(safe
                .error
                .unwrap_or_else(|| std::io::Error::other(e.to_string()))),
        }
    }
}

/// A text sink that writes each piece with the characters markup refuses
/// replaced: pieces are whole characters, so the result is that of
/// cleaning the whole text.
struct MarkupSafe<'a> {
    out: &'a mut dyn std::io::Write,
    /// The first write error, which `fmt::Error` cannot carry.
    error: Option<std::io::Error>,
}

impl Write for MarkupSafe<'_> {
    fn write_str(&mut self, piece: &str) -> fmt::Result {
        let clean = crate::base::text::markup_safe(piece);
        self.out.write_all(clean.as_bytes()).map_err(|e| {
            self.error.get_or_insert(e);
            fmt::Error
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Written piece by piece, a text is cleaned as `markup_safe` cleans
    /// it whole, and a failing writer's error comes back.
    #[test]
    fn the_streamed_page_is_cleaned_as_a_held_one() {
        let pieces = ["<p>a\u{1b}[2J", "b\u{7}</p>", "\u{fdd0}·\u{a0}c", "\u{85}d"];
        let mut out = Vec::new();
        let mut safe = MarkupSafe {
            out: &mut out,
            error: None,
        };
        for piece in pieces {
            safe.write_str(piece).expect("a Vec takes every write");
        }
        let whole = pieces.concat();
        assert_eq!(
            String::from_utf8(out).expect("UTF-8 in, UTF-8 out"),
            crate::base::text::markup_safe(&whole)
        );
        assert_eq!(
            crate::base::text::markup_safe(&whole),
            "<p>a\u{fffd}[2Jb\u{fffd}</p>\u{fffd}·\u{a0}c\u{fffd}d"
        );

        struct Full;
        impl std::io::Write for Full {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::new(
                    std::io::ErrorKind::StorageFull,
                    "disk full",
                ))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut full = Full;
        let mut safe = MarkupSafe {
            out: &mut full,
            error: None,
        };
        assert!(safe.write_str("x").is_err());
        assert_eq!(
            safe.error.map(|e| e.kind()),
            Some(std::io::ErrorKind::StorageFull)
        );
    }
}
