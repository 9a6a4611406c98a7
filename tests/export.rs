//! `cutover export argocd|gitlab|ssm-calendar`: what each target gets from
//! the example inventory, what it cannot get (and the finding that says
//! so), and refusals that clocks or bounds force.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

/// Runs `export TARGET --format json` on `dir`; returns the exit status and
/// the document.
fn export_json(target: &str, dir: &Path, extra: &[&str]) -> (i32, Value) {
    let output = cutover()
        .args(["export", target, "--format", "json", "--as-of", AS_OF])
        .args(extra)
        .arg(dir)
        .output()
        .unwrap();
    let document = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap(), document)
}

fn native(target: &str, dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let output = cutover()
        .args(["export", target, "--as-of", AS_OF, "--color", "never"])
        .args(extra)
        .arg(dir)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// (rule, file, line, column, first subject) of each diagnostic.
fn diagnostics(document: &Value) -> Vec<(String, String, u64, u64, String)> {
    document["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["subjects"][0].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn diag(
    rule: &str,
    file: &str,
    line: u64,
    column: u64,
    subject: &str,
) -> (String, String, u64, u64, String) {
    (rule.into(), file.into(), line, column, subject.into())
}

fn periods(document: &Value) -> Vec<String> {
    document["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["period"].as_str().unwrap().to_string())
        .collect()
}

fn left_out<'d>(document: &'d Value, period: &str) -> Option<&'d str> {
    document["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["period"] == period)
        .map(|l| l["reason"].as_str().unwrap())
}

#[test]
fn argocd_gets_the_cron_windows_of_the_example_and_a_finding_for_the_first_saturday() {
    let (code, document) = export_json("argocd", &example(), &[]);
    assert_eq!(code, 0, "left-out periods are warnings");
    assert_eq!(periods(&document), ["sunday-early", "tue-thu-evening"]);
    let sunday = &document["entries"][0]["export"];
    assert_eq!(sunday["kind"], "allow");
    assert_eq!(sunday["schedule"], "0 1 * * 0");
    assert_eq!(sunday["duration"], "5h");
    assert_eq!(sunday["timeZone"], "Europe/Berlin");
    assert_eq!(
        sunday["applications"],
        serde_json::json!([
            "bi-dashboards",
            "edi-gateway",
            "etl-jobs",
            "notify",
            "webshop-prod",
            "webshop-worker",
            "wms-prod"
        ])
    );
    let evening = &document["entries"][1]["export"];
    assert_eq!(evening["schedule"], "0 19 * * 2,4");
    // Only the systems tagged tier-low.
    assert_eq!(
        evening["applications"],
        serde_json::json!(["bi-dashboards", "etl-jobs"])
    );
    // The first occurrences, as `check` expands them.
    let first = &document["entries"][0]["occurrences"][0];
    assert_eq!(first["start"], "2026-11-29T01:00:00+01:00");
    assert_eq!(first["end"], "2026-11-29T06:00:00+01:00");
    assert_eq!(
        document["entries"][0]["occurrences"]
            .as_array()
            .unwrap()
            .len(),
        52
    );
    assert_eq!(
        diagnostics(&document),
        vec![
            diag(
                "unexportable-period",
                "calendar.toml",
                33,
                9,
                "first-saturday"
            ),
            diag("unexportable-period", "calendar.toml", 57, 9, "month-end"),
            diag(
                "unexportable-period",
                "calendar.toml",
                67,
                8,
                "holiday-freeze"
            ),
            diag("unexportable-period", "calendar.toml", 76, 8, "stocktake"),
        ]
    );
    let message = document["diagnostics"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("FREQ=MONTHLY;BYDAY=1SA names the 1st Saturday"),
        "{message}"
    );
    assert_eq!(
        left_out(&document, "business-hours"),
        Some("peaks are advice, which no target enforces")
    );
    assert!(
        left_out(&document, "payroll-cutoff")
            .unwrap()
            .contains("[export.argocd.applications]")
    );
}

#[test]
fn argocd_native_output_is_an_app_project_and_findings_go_to_stderr() {
    let (code, stdout, stderr) = native("argocd", &example(), &[]);
    assert_eq!(code, 0);
    assert!(stdout.contains("apiVersion: argoproj.io/v1alpha1\nkind: AppProject\n"));
    assert!(stdout.contains("  name: \"northwind-prod\"\n  namespace: \"argocd\"\n"));
    assert!(stdout.contains(
        "    - kind: \"allow\"\n      schedule: \"0 1 * * 0\"\n      duration: \"5h\"\n      timeZone: \"Europe/Berlin\"\n"
    ));
    assert!(!stdout.contains("first-saturday"));
    assert!(stderr.contains("warning[unexportable-period]: window `first-saturday`"));
    assert!(stderr.contains("--> calendar.toml:33:9"));
}

#[test]
fn gitlab_gets_the_payroll_freeze_and_findings_for_the_others() {
    let (code, document) = export_json("gitlab", &example(), &[]);
    assert_eq!(code, 0);
    assert_eq!(periods(&document), ["payroll-cutoff"]);
    assert_eq!(
        document["entries"][0]["export"],
        serde_json::json!({"freeze_start": "0 0 23 * *", "freeze_end": "0 0 26 * *", "cron_timezone": "Europe/Berlin"})
    );
    // Three calendar days in the zone, from local midnight to local midnight.
    let october = document["entries"][0]["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["start"] == "2027-10-23T00:00:00+02:00")
        .expect("October's payroll cut-off");
    assert_eq!(october["end"], "2027-10-26T00:00:00+02:00");
    assert_eq!(
        diagnostics(&document),
        vec![
            diag("unexportable-period", "calendar.toml", 57, 9, "month-end"),
            diag(
                "unexportable-period",
                "calendar.toml",
                67,
                8,
                "holiday-freeze"
            ),
            diag("unexportable-period", "calendar.toml", 76, 8, "stocktake"),
        ]
    );
    assert!(
        document["diagnostics"][1]["message"]
            .as_str()
            .unwrap()
            .contains("one-off period, and cron expressions have no year")
    );
    assert_eq!(
        left_out(&document, "sunday-early"),
        Some("GitLab takes freezes only")
    );

    let (_, stdout, _) = native("gitlab", &example(), &[]);
    let bodies: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        bodies,
        serde_json::json!([document["entries"][0]["export"]])
    );

    let (_, hard) = export_json("gitlab", &example(), &["--hard-only"]);
    assert!(periods(&hard).is_empty());
    assert_eq!(
        left_out(&hard, "payroll-cutoff"),
        Some("a soft freeze, and --hard-only was given")
    );
}

#[test]
fn ssm_calendar_gets_every_freeze_occurrence_as_an_event() {
    let (code, stdout, stderr) = native("ssm-calendar", &example(), &[]);
    assert_eq!(code, 0);
    assert_eq!(stderr, "", "an SSM calendar can express every occurrence");
    assert!(stdout.starts_with(
        "BEGIN:VCALENDAR\r\nPRODID:-//AWS//Change Calendar 1.0//EN\r\nVERSION:2.0\r\nX-CALENDAR-TYPE:DEFAULT_OPEN\r\n"
    ));
    assert!(stdout.ends_with("END:VCALENDAR\r\n"));
    // The one-off holiday freeze, in UTC.
    assert!(stdout.contains(
        "UID:holiday-freeze-20261220T230000Z@cutover\r\nDTSTAMP:20261123T230000Z\r\nDTSTART:20261220T230000Z\r\nDTEND:20270103T230000Z\r\nSUMMARY:Christmas and New Year freeze\r\n"
    ));
    assert!(stdout.contains("SUMMARY:Annual stocktake (soft freeze)\r\n"));
    assert!(stdout.contains("SUMMARY:Payroll cut-off (soft freeze)\r\n"));
    let (_, document) = export_json("ssm-calendar", &example(), &[]);
    assert_eq!(
        periods(&document),
        ["holiday-freeze", "month-end", "payroll-cutoff", "stocktake"]
    );
    // Three days at the end of each of the twelve months.
    let month_end = &document["entries"][1];
    assert_eq!(month_end["occurrences"].as_array().unwrap().len(), 36);
    assert_eq!(
        month_end["occurrences"][0]["start"],
        "2026-11-28T00:00:00+01:00"
    );
    // Payroll: 23 November 2026 (still running on the 24th) to 23 November 2027.
    assert_eq!(
        document["entries"][2]["occurrences"]
            .as_array()
            .unwrap()
            .len(),
        13
    );
    assert_eq!(stdout.matches("BEGIN:VEVENT").count(), 1 + 36 + 13 + 1);
    assert!(diagnostics(&document).is_empty());

    // A calendar for the webshop only: the payroll freeze constrains no
    // change to it.
    let (_, webshop) = export_json("ssm-calendar", &example(), &["--system", "webshop"]);
    assert!(!periods(&webshop).contains(&"payroll-cutoff".to_string()));
    assert_eq!(
        left_out(&webshop, "payroll-cutoff"),
        Some("it constrains none of the systems exported")
    );
    cutover()
        .args(["export", "ssm-calendar", "--system", "webshp"])
        .arg(example())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("did you mean `webshop`?"));
}

/// A copy of `files` as an inventory in a temporary folder.
fn inventory(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        std::fs::write(dir.path().join(rel), text).unwrap();
    }
    dir
}

const BASE: &str = r#"
[[team]]
id = "ops"
name = "Ops"

[[system]]
id = "app"
name = "App"
owner = "ops"
criticality = "low"
"#;

const CONFIG: &str = r#"
[site]
timezone = "Europe/Berlin"

[export.argocd]
project = "apps"

[export.argocd.applications]
app = ["app-prod"]
"#;

#[test]
fn clock_changes_refuse_what_an_engine_would_read_otherwise() {
    let calendar = r#"
[[window]]
id = "sunday-half-past-two"
name = "Sunday 02:30"
rrule = "FREQ=WEEKLY;BYDAY=SU"
start = "02:30"
duration = "1h"

[[freeze]]
id = "saturday-night"
name = "Saturday night"
rrule = "FREQ=WEEKLY;BYDAY=SA"
start = "22:00"
duration = "10h"
hard = false
"#;
    let dir = inventory(&[
        ("cutover.toml", CONFIG),
        ("base.toml", BASE),
        ("calendar.toml", calendar),
    ]);
    let (_, argocd) = export_json("argocd", dir.path(), &[]);
    // 02:30 does not exist on 28 March 2027 in Berlin.
    assert_eq!(
        diagnostics(&argocd),
        vec![
            diag(
                "unexportable-period",
                "calendar.toml",
                5,
                9,
                "sunday-half-past-two"
            ),
            // Its only window stayed behind.
            diag("unexportable-period", "cutover.toml", 9, 1, "app"),
        ]
    );
    let message = argocd["diagnostics"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("2027-03-28T02:30:00 falls in a change of clocks"),
        "{message}"
    );
    // Ten exact hours: Argo CD adds them as cutover does.
    assert_eq!(periods(&argocd), ["saturday-night"]);
    assert_eq!(argocd["entries"][0]["export"]["duration"], "10h");
    assert_eq!(argocd["entries"][0]["export"]["kind"], "deny");
    assert_eq!(
        argocd["entries"][0]["export"]["manualSync"], true,
        "a soft freeze"
    );
    // GitLab ends at a local time, which moves by an hour on those nights.
    let (_, gitlab) = export_json("gitlab", dir.path(), &[]);
    assert!(periods(&gitlab).is_empty());
    let message = gitlab["diagnostics"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("end at different local times"),
        "{message}"
    );
}

#[test]
fn calendar_days_that_change_length_are_refused_by_argocd_only() {
    let calendar = r#"
[[window]]
id = "always"
name = "Always"
rrule = "FREQ=DAILY"
start = "00:00"
duration = "1h"

[[freeze]]
id = "quarter-close"
name = "Quarter close"
rrule = "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=27"
start = "00:00"
duration = "2d"
hard = true
"#;
    let dir = inventory(&[
        ("cutover.toml", CONFIG),
        ("base.toml", BASE),
        ("calendar.toml", calendar),
    ]);
    let (_, argocd) = export_json("argocd", dir.path(), &[]);
    assert_eq!(periods(&argocd), ["always"]);
    let message = argocd["diagnostics"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("it lasts 2d, which is 47h on some days and 48h on others"),
        "{message}"
    );
    // GitLab's end is a local time: 27 to 29 March 2027 is 47 hours, and
    // the cron expressions of local midnights say so.
    let (_, gitlab) = export_json("gitlab", dir.path(), &[]);
    let march = &gitlab["entries"][0]["occurrences"][1];
    assert_eq!(march["start"], "2027-03-27T00:00:00+01:00");
    assert_eq!(march["end"], "2027-03-29T00:00:00+02:00");
    assert_eq!(
        gitlab["entries"][0]["export"],
        serde_json::json!({"freeze_start": "0 0 27 3,6,9,12 *", "freeze_end": "0 0 29 3,6,9,12 *", "cron_timezone": "Europe/Berlin"})
    );
}

#[test]
fn a_system_whose_windows_all_stay_behind_is_reported_at_its_mapping() {
    let calendar = r#"
[[window]]
id = "first-sunday"
name = "First Sunday"
rrule = "FREQ=MONTHLY;BYDAY=1SU"
start = "01:00"
duration = "4h"
"#;
    let dir = inventory(&[
        ("cutover.toml", CONFIG),
        ("base.toml", BASE),
        ("calendar.toml", calendar),
    ]);
    let (code, argocd) = export_json("argocd", dir.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(
        diagnostics(&argocd),
        vec![
            diag("unexportable-period", "calendar.toml", 5, 9, "first-sunday"),
            diag("unexportable-period", "cutover.toml", 9, 1, "app"),
        ]
    );
    let message = argocd["diagnostics"][1]["message"].as_str().unwrap();
    assert!(
        message.contains("none of the windows of `app` (`first-sunday`) reached Argo CD"),
        "{message}"
    );
    assert!(message.contains("`app-prod` sync at any time"), "{message}");
}

#[test]
fn rules_and_deny_warnings_decide_the_exit_status() {
    let calendar = r#"
[[freeze]]
id = "last-day"
name = "Last day"
rrule = "FREQ=MONTHLY;BYMONTHDAY=-1"
start = "00:00"
duration = "1d"
"#;
    let strict = format!("{CONFIG}\n[rules]\nunexportable-period = \"error\"\n");
    let dir = inventory(&[
        ("cutover.toml", CONFIG),
        ("base.toml", BASE),
        ("calendar.toml", calendar),
    ]);
    assert_eq!(native("gitlab", dir.path(), &[]).0, 0);
    assert_eq!(native("gitlab", dir.path(), &["--deny", "warnings"]).0, 1);
    let dir = inventory(&[
        ("cutover.toml", &strict),
        ("base.toml", BASE),
        ("calendar.toml", calendar),
    ]);
    let (code, document) = export_json("gitlab", dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(document["diagnostics"][0]["level"], "error");
    let off = format!("{CONFIG}\n[rules]\nunexportable-period = \"off\"\n");
    let dir = inventory(&[
        ("cutover.toml", &off),
        ("base.toml", BASE),
        ("calendar.toml", calendar),
    ]);
    let (code, _, stderr) = native("gitlab", dir.path(), &["--deny", "warnings"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
}

#[test]
fn argocd_needs_the_application_mapping_and_a_loading_inventory() {
    let dir = inventory(&[("base.toml", BASE)]);
    let (code, _, stderr) = native("argocd", dir.path(), &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("[export.argocd.applications]"), "{stderr}");
    let config = "[export.argocd.applications]\nnope = [\"x\"]\n";
    let dir = inventory(&[("cutover.toml", config), ("base.toml", BASE)]);
    let (code, stdout, stderr) = native("argocd", dir.path(), &[]);
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert!(
        stderr.contains("error[unknown-reference]: `nope` is not a known system"),
        "{stderr}"
    );
    let config = "[export.argocd.applications]\napp = [\"App Prod\"]\n";
    let dir = inventory(&[("cutover.toml", config), ("base.toml", BASE)]);
    let (_, found) = findings(dir.path());
    assert_eq!(places(&found), vec![place("schema", "cutover.toml", 2, 8)]);
}
