//! Helpers shared by the integration tests: run the binary on a fixture
//! inventory and read back its findings.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The as-of date every test uses, so results never depend on the day.
pub const AS_OF: &str = "2026-11-24";

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The repository's example inventory.
pub fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("inventory")
}

pub fn cutover() -> Command {
    let mut cmd = Command::cargo_bin("cutover").expect("the binary builds");
    cmd.env_remove("SOURCE_DATE_EPOCH");
    cmd
}

/// A finding as `--format json` prints it.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub rule: String,
    pub level: String,
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
    pub change: Option<String>,
    pub subjects: Vec<String>,
}

/// Runs `cutover check --format json` on `dir`; returns the exit status and
/// the whole document.
pub fn check_json(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let output = cutover()
        .args(["check", "--format", "json", "--as-of", AS_OF])
        .args(extra)
        .arg(dir)
        .output()
        .expect("cutover runs");
    let document: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().expect("exited"), document)
}

/// The findings of `cutover check` on `dir`, and its exit status.
pub fn findings(dir: &Path) -> (i32, Vec<Found>) {
    let (code, document) = check_json(dir, &[]);
    let found = document["diagnostics"]
        .as_array()
        .expect("diagnostics array")
        .iter()
        .map(|d| Found {
            rule: d["rule"].as_str().unwrap().to_string(),
            level: d["level"].as_str().unwrap().to_string(),
            file: d["file"].as_str().unwrap().to_string(),
            line: d["line"].as_u64().unwrap(),
            column: d["column"].as_u64().unwrap(),
            message: d["message"].as_str().unwrap().to_string(),
            change: d["change"].as_str().map(str::to_string),
            subjects: d["subjects"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect(),
        })
        .collect();
    (code, found)
}

/// (rule, file, line, column) of each finding, for exact comparisons.
pub fn places(found: &[Found]) -> Vec<(String, String, u64, u64)> {
    found
        .iter()
        .map(|f| (f.rule.clone(), f.file.clone(), f.line, f.column))
        .collect()
}

pub fn place(rule: &str, file: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (rule.to_string(), file.to_string(), line, column)
}

/// The rules that are about reading the inventory, not the plan.
pub const LOADING: &[&str] = &[
    "syntax",
    "schema",
    "duplicate-id",
    "unknown-reference",
    "invalid-time",
    "invalid-schedule",
    "unreadable",
];

/// Only the findings of loading rules.
pub fn loading(found: Vec<Found>) -> Vec<Found> {
    found
        .into_iter()
        .filter(|f| LOADING.contains(&f.rule.as_str()))
        .collect()
}

/// The findings of `check` on `dir`, which must load without a loading
/// finding (plan findings are what the caller looks at).
pub fn loaded(dir: &Path) -> Vec<Found> {
    let (_, found) = findings(dir);
    let bad = loading(found.clone());
    assert!(bad.is_empty(), "the inventory must load: {bad:#?}");
    found
}

/// Findings of `rule` on `dir`, which must load.
pub fn of_rule(dir: &Path, rule: &str) -> Vec<Found> {
    loaded(dir).into_iter().filter(|f| f.rule == rule).collect()
}

pub mod random_plan;

/// Builds `inv` into `out` (errors allowed), which must succeed.
pub fn build_allowing_errors(inv: &Path, out: &Path) {
    let build = cutover()
        .args(["build", "--quiet", "--allow-errors", "--as-of", AS_OF])
        .arg(inv)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert_eq!(
        build.status.code(),
        Some(0),
        "build: {}",
        String::from_utf8_lossy(&build.stderr)
    );
}

/// The generator of the benchmark inventory, compiled with rustc (it uses
/// only std), so that no cargo runs inside the tests.
pub fn generator(dir: &Path) -> PathBuf {
    let exe = dir.join(format!("gen_inventory{}", std::env::consts::EXE_SUFFIX));
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/gen_inventory/main.rs");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let status = std::process::Command::new(rustc)
        .args(["--edition", "2024", "-O", "--crate-name", "gen_inventory"])
        .arg(&source)
        .arg("-o")
        .arg(&exe)
        .status()
        .expect("rustc runs");
    assert!(status.success());
    exe
}
