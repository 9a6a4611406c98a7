//! The layers of `docs/architecture.md`: no top-level module of `src/` uses
//! a module of a higher layer, and every module has a layer.

use std::collections::BTreeMap;
use std::path::Path;

/// Module name to layer, read from the table of `docs/architecture.md`.
fn layers() -> BTreeMap<String, u32> {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md"))
            .expect("docs/architecture.md");
    let mut layers = BTreeMap::new();
    for line in doc.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 4 {
            continue;
        }
        if let (Ok(layer), Some(module)) = (
            cells[1].parse::<u32>(),
            cells[2].strip_prefix('`').and_then(|m| m.strip_suffix('`')),
        ) {
            layers.insert(module.to_string(), layer);
        }
    }
    layers
}

/// The top-level module a file of `src/` belongs to (`None` for lib.rs and
/// main.rs, which only declare and dispatch).
fn module_of(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib" && name != "main").then(|| name.to_string())
}

/// Every `crate::NAME` (and `cutover::NAME`) a source text refers to.
fn references(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (ix, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        for prefix in ["crate::", "cutover::"] {
            let mut rest = code;
            while let Some(at) = rest.find(prefix) {
                let after = &rest[at + prefix.len()..];
                let name: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.push((ix + 1, name));
                }
                rest = after;
            }
        }
    }
    found
}

#[test]
fn no_module_uses_a_higher_layer() {
    let layers = layers();
    assert!(
        layers.len() >= 10,
        "the layer table was not found: {layers:?}"
    );
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = Vec::new();
    for entry in walkdir::WalkDir::new(&src).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = entry.path().strip_prefix(&src).unwrap();
        let Some(module) = module_of(rel) else {
            continue;
        };
        let Some(&own) = layers.get(&module) else {
            violations.push(format!(
                "src/{} belongs to `{module}`, which has no layer in docs/architecture.md",
                rel.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(entry.path()).unwrap();
        for (line, name) in references(&text) {
            if name == module {
                continue;
            }
            match layers.get(&name) {
                Some(&layer) if layer < own => {}
                Some(&layer) => violations.push(format!(
                    "src/{}:{line}: `{module}` (layer {own}) uses `{name}` (layer {layer})",
                    rel.display()
                )),
                None => violations.push(format!(
                    "src/{}:{line}: `{name}` has no layer in docs/architecture.md",
                    rel.display()
                )),
            }
        }
    }
    assert!(
        violations.is_empty(),
        "imports that run back up:\n{}",
        violations.join("\n")
    );
}

#[test]
fn references_are_found_outside_comments_only() {
    let found = references("use crate::base::Finding; // crate::site\nx = cutover::model::Y;");
    assert_eq!(found, [(1, "base".to_string()), (2, "model".to_string())]);
}

#[test]
fn every_rule_outside_the_loader_has_a_function_named_after_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut text = String::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "rs") {
            text.push_str(&std::fs::read_to_string(entry.path()).unwrap());
        }
    }
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(docs).unwrap() {
        let name = entry
            .unwrap()
            .file_name()
            .to_string_lossy()
            .replace(".md", "");
        let loading = [
            "syntax",
            "schema",
            "duplicate-id",
            "unknown-reference",
            "invalid-time",
            "invalid-schedule",
            "unreadable",
        ];
        if !loading.contains(&name.as_str())
            && !text.contains(&format!("fn {}(", name.replace('-', "_")))
        {
            missing.push(name);
        }
    }
    assert!(missing.is_empty(), "no `fn <rule>` in src for: {missing:?}");
}
