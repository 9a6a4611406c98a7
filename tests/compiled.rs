//! The oracle of the compiled templates: a site rendered with them is byte
//! for byte the site tera renders from the reference templates in
//! `templates/`, on the example inventory, every fixture that builds and a
//! generated inventory; and any overridden template sends the whole site
//! back to tera.

mod common;

use std::path::{Path, PathBuf};

use cutover::base::Family;
use cutover::check::Checked;
use cutover::site::write::Output;

fn as_of() -> jiff::civil::Date {
    jiff::civil::Date::constant(2026, 11, 24)
}

/// The inventory checked, or `None` when it does not build (it cannot be
/// loaded, or has loading errors).
fn checked(dir: &Path) -> Option<Checked> {
    let checked = cutover::check::check(dir, as_of()).ok()?;
    let loading = checked
        .findings
        .iter()
        .any(|f| f.rule.family() == Family::Loading);
    (!loading).then_some(checked)
}

/// The site rendered with the built-in templates, compiled or through tera.
fn site(checked: &Checked, compiled: bool) -> Vec<Output> {
    let mut templates = cutover::site::templates(&[]).expect("the built-in templates compile");
    assert!(templates.compiled, "no override: compiled");
    templates.compiled = compiled;
    cutover::site::render_site(checked, &templates).expect("the site renders")
}

/// Panics at the first difference: of the list of paths, else of the bytes
/// of the first file that differs, with its offset and the text around it.
fn assert_identical(name: &str, tera: &[Output], compiled: &[Output]) {
    let paths = |site: &[Output]| site.iter().map(|o| o.path.clone()).collect::<Vec<_>>();
    assert_eq!(paths(tera), paths(compiled), "{name}: the files differ");
    for (t, c) in tera.iter().zip(compiled) {
        if t.bytes == c.bytes {
            continue;
        }
        let at = t
            .bytes
            .iter()
            .zip(&c.bytes)
            .position(|(a, b)| a != b)
            .unwrap_or(t.bytes.len().min(c.bytes.len()));
        let around = |bytes: &[u8]| {
            let from = at.saturating_sub(120);
            let to = (at + 120).min(bytes.len());
            String::from_utf8_lossy(&bytes[from..to]).into_owned()
        };
        panic!(
            "{name}: {} differs at byte {at} (tera {} bytes, compiled {} bytes)\n--- tera:\n{}\n--- compiled:\n{}",
            t.path,
            t.bytes.len(),
            c.bytes.len(),
            around(&t.bytes),
            around(&c.bytes),
        );
    }
}

/// The page templates with a compiled twin.
const COMPILED: &[&str] = &[
    "system.html",
    "change.html",
    "runbook.html",
    "rollback.html",
    "announcement.html",
    "announcement.txt",
    "risks.html",
    "systems.html",
    "changes.html",
];

/// The site rendered compiled, with tera's copies of the compiled page
/// templates replaced by a marker: the same site proves that those pages
/// did not render through tera.
fn site_without_tera_pages(checked: &Checked) -> Vec<Output> {
    let mut templates = cutover::site::templates(&[]).unwrap();
    for name in COMPILED {
        templates
            .tera
            .add_raw_template(name, "tera rendered this page")
            .unwrap();
    }
    cutover::site::render_site(checked, &templates).expect("the site renders")
}

/// Renders `dir` both ways and compares; how many files it has.
fn oracle(name: &str, dir: &Path) -> Option<usize> {
    let checked = checked(dir)?;
    let tera = site(&checked, false);
    let compiled = site_without_tera_pages(&checked);
    assert_identical(name, &tera, &compiled);
    Some(tera.len())
}

/// How many pages of each compiled family `site` has: the oracle must
/// have compared some of each.
fn families(site: &[Output]) -> [usize; 6] {
    let mut counts = [0; 6];
    for o in site {
        let p = o.path.as_str();
        let ix = if p.starts_with("systems/") && p != "systems/index.html" {
            0
        } else if p.starts_with("changes/")
            && p.ends_with("/index.html")
            && p != "changes/index.html"
        {
            1
        } else if p.contains("/runbook") {
            2
        } else if p.ends_with("/rollback.html") {
            3
        } else if p.contains("/announcement") && p.ends_with(".html") {
            4
        } else if p.contains("/announcement") && p.ends_with(".txt") {
            5
        } else {
            continue;
        };
        counts[ix] += 1;
    }
    counts
}

#[test]
fn compiled_templates_render_the_example_byte_for_byte_as_tera() {
    let checked = checked(&common::example()).expect("the example builds");
    let tera = site(&checked, false);
    let compiled = site(&checked, true);
    assert_identical("inventory", &tera, &compiled);
    assert_identical("inventory", &tera, &site_without_tera_pages(&checked));
    assert!(
        families(&tera).iter().all(|&n| n > 0),
        "every compiled family is compared: {:?}",
        families(&tera)
    );
}

#[test]
fn compiled_templates_render_every_fixture_byte_for_byte_as_tera() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut built = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if oracle(&name, dir).is_some() {
            built.push(name);
        }
    }
    // The fixtures that build include the hostile text of `xss`.
    assert!(built.iter().any(|n| n == "xss"), "built: {built:?}");
    assert!(built.len() >= 5, "built: {built:?}");
}

#[test]
fn compiled_templates_render_a_generated_inventory_byte_for_byte_as_tera() {
    let dir = tempfile::tempdir().unwrap();
    let generate = common::generator(dir.path());
    let inventory = dir.path().join("generated");
    let status = std::process::Command::new(&generate)
        .args([
            // More rows than a page of each list holds (LIST_PAGE): the
            // pages past the first and their pagers are compared too.
            "--changes",
            "520",
            "--systems",
            "1100",
            "--integrations",
            "2000",
            "--periods",
            "30",
            "--seed",
            "7",
            "--out",
        ])
        .arg(&inventory)
        .status()
        .expect("the generator runs");
    assert!(status.success());
    let checked = checked(&inventory).expect("the generated inventory builds");
    let tera = site(&checked, false);
    let compiled = site_without_tera_pages(&checked);
    assert_identical("generated", &tera, &compiled);
    for page in ["changes/page-2.html", "systems/page-3.html"] {
        let page = tera.iter().find(|o| o.path == page).expect(page);
        let text = String::from_utf8_lossy(&page.bytes);
        assert!(text.contains("rel=\"prev\""), "{text}");
    }
    // Each change and each system is on exactly one page of its list.
    for (folder, cell, rows, pages) in [
        ("changes", "Change", 520, 2),
        ("systems", "System", 1100, 3),
    ] {
        let on_pages: Vec<&Output> = tera
            .iter()
            .filter(|o| {
                o.path == format!("{folder}/index.html")
                    || o.path.starts_with(&format!("{folder}/page-"))
            })
            .collect();
        assert_eq!(on_pages.len(), pages, "{folder}");
        let row = format!("<td data-label=\"{cell}\"><a class=\"id-link\" href=\"");
        let mut listed: Vec<String> = on_pages
            .iter()
            .flat_map(|o| {
                let text = String::from_utf8_lossy(&o.bytes).into_owned();
                text.split(row.as_str())
                    .skip(1)
                    .map(|rest| rest.split('"').next().unwrap().to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(listed.len(), rows, "{folder}");
        listed.sort();
        listed.dedup();
        assert_eq!(listed.len(), rows, "{folder}: a row on two pages");
    }
    let counts = families(&tera);
    assert!(counts.iter().all(|&n| n >= 100), "{counts:?}");
}

/// Copies the example inventory into `to`.
fn copy_example(to: &Path) {
    let from = common::example();
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(&from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn one_overridden_template_renders_the_whole_site_through_tera() {
    let dir = tempfile::tempdir().unwrap();
    let overrides = dir.path().join("templates");
    std::fs::create_dir_all(&overrides).unwrap();
    // Only the stylesheet: still compiled (it is copied, not rendered).
    std::fs::write(overrides.join("style.css"), "body { color: red }\n").unwrap();
    let templates = cutover::site::templates(&[overrides.as_path()]).unwrap();
    assert!(templates.compiled);
    assert_eq!(templates.style, "body { color: red }\n");
    // A base with a marker: every page takes it, compiled families too.
    let base =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/base.html"))
            .unwrap()
            .replace(
                "<main id=\"main\">",
                "<main id=\"main\" data-override=\"base\">",
            );
    std::fs::write(overrides.join("base.html"), base).unwrap();
    let templates = cutover::site::templates(&[overrides.as_path()]).unwrap();
    assert!(!templates.compiled, "an overridden template: tera");
    let checked = checked(&common::example()).unwrap();
    let site = cutover::site::render_site(&checked, &templates).unwrap();
    let pages: Vec<&Output> = site.iter().filter(|o| o.path.ends_with(".html")).collect();
    assert!(families(&site).iter().all(|&n| n > 0));
    for page in pages {
        let text = std::str::from_utf8(&page.bytes).unwrap();
        assert!(
            text.contains("data-override=\"base\""),
            "{} ignores the overridden base.html",
            page.path
        );
    }
}

#[test]
fn a_template_in_the_inventory_overrides_a_compiled_page_in_a_build() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = dir.path().join("inventory");
    copy_example(&inventory);
    std::fs::create_dir_all(inventory.join("templates")).unwrap();
    std::fs::write(
        inventory.join("templates/system.html"),
        "{% extends \"base.html\" %}{% block content %}<p>own system page of {{ view.link.id }}</p>{% endblock content %}\n",
    )
    .unwrap();
    let out = dir.path().join("site");
    common::build_allowing_errors(&inventory, &out);
    let page = std::fs::read_to_string(out.join("systems/erp.html")).unwrap();
    assert!(page.contains("<p>own system page of erp</p>"), "{page}");
    // The other pages still render, through tera, as the built-in ones.
    let checked = checked(&common::example()).unwrap();
    for output in site(&checked, false) {
        if output.path.starts_with("systems/") && output.path != "systems/index.html" {
            continue;
        }
        let built = std::fs::read(out.join(&output.path)).unwrap();
        assert!(built == output.bytes, "{} differs", output.path);
    }
}
