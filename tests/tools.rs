//! The tools around cutover: the schemas editors check files with, `init`
//! (example and minimal, with `.taplo.toml`), SARIF for code scanning, and
//! one word for each level in every output.

mod common;

use std::path::Path;

use common::*;
use serde_json::{Value, json};

fn schema(file: &str) -> Value {
    let output = cutover().args(["schema", "--file", file]).output().unwrap();
    assert!(output.status.success());
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A TOML document as editors hand it to a JSON Schema validator: dates
/// and date-times become strings as written.
fn to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => json!(s),
        toml::Value::Integer(i) => json!(i),
        toml::Value::Float(f) => json!(f),
        toml::Value::Boolean(b) => json!(b),
        toml::Value::Datetime(d) => json!(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("a valid schema")
}

/// The errors of `text` (a TOML file) against `schema`.
fn errors(schema: &jsonschema::Validator, text: &str) -> Vec<String> {
    let value = toml::Value::Table(text.parse::<toml::Table>().unwrap());
    schema
        .iter_errors(&to_json(&value))
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Every TOML file of an inventory folder against the schema of its kind.
fn validate_folder(dir: &Path) -> usize {
    let config = validator(&schema("config"));
    let entities = validator(&schema("entities"));
    let mut files = 0;
    for entry in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(Result::ok)
    {
        if entry.path().extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let schema = if entry.path() == dir.join("cutover.toml") {
            &config
        } else {
            &entities
        };
        let found = errors(schema, &text);
        assert!(found.is_empty(), "{}: {found:#?}", entry.path().display());
        files += 1;
    }
    files
}

#[test]
fn every_file_of_the_example_and_the_skeleton_passes_its_schema_with_formats_on() {
    assert!(validate_folder(&example()) > 20);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("inv");
    cutover()
        .args(["init", "--minimal"])
        .arg(&target)
        .assert()
        .success();
    assert_eq!(validate_folder(&target), 7);
}

#[test]
fn schemas_reject_what_the_loader_rejects() {
    let entities = validator(&schema("entities"));
    let config = validator(&schema("config"));
    // Tables of cutover.toml belong there only, and entities elsewhere.
    assert!(!errors(&entities, "[site]\ntitle = \"x\"\n").is_empty());
    assert!(!errors(&config, "[[system]]\nid = \"a\"\n").is_empty());
    let period = |extra: &str| {
        format!(
            "[[window]]\nid = \"w\"\nname = \"W\"\nrrule = \"FREQ=DAILY\"\nstart = \"01:00\"\n{extra}"
        )
    };
    assert!(errors(&entities, &period("duration = \"1h30m\"\n")).is_empty());
    for bad in ["\"\"", "\"90\"", "\"1m1h\"", "\"1 h\""] {
        assert!(
            !errors(&entities, &period(&format!("duration = {bad}\n"))).is_empty(),
            "duration = {bad}"
        );
    }
    // A period with neither form.
    assert!(!errors(&entities, "[[freeze]]\nid = \"f\"\nname = \"F\"\n").is_empty());
    let system = |id: &str| {
        format!("[[system]]\nid = \"{id}\"\nname = \"S\"\nowner = \"ops\"\ncriticality = \"low\"\n")
    };
    assert!(errors(&entities, &system("billing-db.v2")).is_empty());
    for bad in ["-a", "../etc", "a b", "é"] {
        assert!(!errors(&entities, &system(bad)).is_empty(), "id {bad}");
    }
    // Local and offset date-times both, where the loader takes both.
    let change = |start: &str| {
        format!(
            "[[change]]\nid = \"C\"\ntitle = \"t\"\nowner = \"ops\"\nstatus = \"draft\"\nsystems = [\"a\"]\nsummary = \"s\"\nwhy = \"w\"\n[[change.phase]]\nname = \"p\"\nstart = {start}\nduration = \"1h\"\n"
        )
    };
    assert!(errors(&entities, &change("2026-12-06T02:00:00")).is_empty());
    assert!(errors(&entities, &change("2026-12-06T01:00:00Z")).is_empty());
    assert!(errors(&entities, &change("2026-12-06T01:00:00+01:00")).is_empty());
    assert!(!errors(&entities, &change("\"next sunday\"")).is_empty());
    assert!(
        !errors(
            &config,
            "[export.argocd.applications]\nwms = [\"WMS Prod\"]\n"
        )
        .is_empty()
    );
    assert!(errors(&config, "[export.argocd.applications]\nwms = [\"wms-*\"]\n").is_empty());
}

#[test]
fn init_defaults_to_the_inventory_folder_that_check_reads() {
    let dir = tempfile::tempdir().unwrap();
    cutover()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .success()
        .stdout(predicates::str::contains("try `cutover check`"));
    assert!(dir.path().join("inventory/cutover.toml").is_file());
    // The example has findings on purpose (exit 1), but it is found.
    cutover()
        .current_dir(dir.path())
        .args(["check", "--as-of", AS_OF, "--quiet"])
        .assert()
        .code(1);
}

#[test]
fn init_minimal_checks_without_a_finding_at_any_date() {
    let dir = tempfile::tempdir().unwrap();
    cutover()
        .current_dir(dir.path())
        .args(["init", "--minimal"])
        .assert()
        .success();
    let inventory = dir.path().join("inventory");
    for as_of in ["2026-11-24", "2027-03-06", "2027-06-30", "2031-01-01"] {
        let output = cutover()
            .args(["check", "--format", "json", "--as-of", as_of])
            .arg(&inventory)
            .output()
            .unwrap();
        let document: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(output.status.code(), Some(0), "as of {as_of}: {document:#}");
        assert_eq!(document["diagnostics"], json!([]), "as of {as_of}");
        assert_eq!(
            document["summary"],
            json!({"errors": 0, "warnings": 0, "infos": 0})
        );
    }
    // And today, whatever day that is.
    cutover()
        .current_dir(dir.path())
        .arg("check")
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "0 errors, 0 warnings, 0 infos in 7 files, 1 changes",
        ));
    // One team, two systems, an integration, an audience, a window, a
    // freeze and one exemplary change.
    let mut counts = std::collections::BTreeMap::new();
    for entry in walkdir::WalkDir::new(&inventory)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
    {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        for line in text
            .lines()
            .filter(|l| l.starts_with("[[") && !l.contains('.'))
        {
            *counts.entry(line.to_string()).or_insert(0) += 1;
        }
    }
    let expected: std::collections::BTreeMap<String, i32> = [
        ("[[audience]]", 1),
        ("[[change]]", 1),
        ("[[freeze]]", 1),
        ("[[integration]]", 1),
        ("[[system]]", 2),
        ("[[team]]", 1),
        ("[[window]]", 1),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(counts, expected);
}

#[test]
fn init_writes_the_schemas_and_a_taplo_configuration_for_them() {
    for flag in ["--minimal", "--example"] {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("inv");
        cutover()
            .args(["init", flag])
            .arg(&target)
            .assert()
            .success();
        let taplo = std::fs::read_to_string(target.join(".taplo.toml")).unwrap();
        assert!(taplo.contains("include = [\"cutover.toml\"]\n\n[rule.schema]\npath = \"./.cutover/config.schema.json\""));
        assert!(taplo.contains("path = \"./.cutover/entities.schema.json\""));
        let taplo: toml::Table = taplo.parse().unwrap();
        assert_eq!(taplo["rule"].as_array().unwrap().len(), 2);
        for (file, kind) in [
            ("config.schema.json", "config"),
            ("entities.schema.json", "entities"),
        ] {
            let written: Value = serde_json::from_str(
                &std::fs::read_to_string(target.join(".cutover").join(file)).unwrap(),
            )
            .unwrap();
            assert_eq!(written, schema(kind), "{flag} {file}");
        }
        // The hidden folder is not part of the inventory.
        let (_, found) = findings(&target);
        assert!(loading(found).is_empty());
    }
    cutover()
        .args(["init", "--minimal", "--example", "x"])
        .assert()
        .code(2);
}

fn sarif(dir: &Path) -> Value {
    let output = cutover()
        .args(["check", "--format", "sarif", "--as-of", AS_OF])
        .arg(dir)
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn the_example_sarif_is_valid_against_the_official_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let log = sarif(&example());
    let problems: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(!log["runs"][0]["results"].as_array().unwrap().is_empty());
    // A broken log is refused, so the check can fail.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = json!("info");
    assert!(validator.iter_errors(&broken).next().is_some());
}

#[test]
fn sarif_rules_carry_their_documentation() {
    let log = sarif(&example());
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 45);
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        let doc = cutover().args(["explain", id]).output().unwrap().stdout;
        assert_eq!(
            rule["help"]["markdown"],
            String::from_utf8(doc).unwrap(),
            "{id}"
        );
        let text = rule["help"]["text"].as_str().unwrap();
        assert!(text.starts_with(id) && text.contains("How to fix"), "{id}");
        assert!(
            !text.contains("```") && !text.contains("## "),
            "{id}: {text}"
        );
        let full = rule["fullDescription"]["text"].as_str().unwrap();
        assert!(
            !full.is_empty() && !full.contains('`') && !full.contains("##"),
            "{id}: {full}"
        );
        assert_eq!(
            rule["helpUri"],
            format!("https://github.com/cutover/cutover/blob/main/docs/rules/{id}.md")
        );
    }
    let legacy = rules.iter().find(|r| r["id"] == "legacy-system").unwrap();
    assert_eq!(legacy["defaultConfiguration"]["level"], "note");
}

#[test]
fn rules_url_in_cutover_toml_moves_help_uri() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("inv");
    cutover()
        .args(["init", "--minimal"])
        .arg(&target)
        .assert()
        .success();
    let config = std::fs::read_to_string(target.join("cutover.toml")).unwrap().replace(
        "language = \"en\"",
        "language = \"en\"\nrules_url = \"https://git.example.com/tools/cutover/-/blob/v1/docs/rules/{rule}.md\"",
    );
    std::fs::write(target.join("cutover.toml"), config).unwrap();
    let log = sarif(&target);
    let rule = &log["runs"][0]["tool"]["driver"]["rules"][0];
    assert_eq!(
        rule["helpUri"],
        "https://git.example.com/tools/cutover/-/blob/v1/docs/rules/syntax.md"
    );
}

/// (ruleId, fingerprint, startLine) of every result.
fn results(log: &Value) -> Vec<(String, String, u64)> {
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["partialFingerprints"]["cutoverFinding/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
            )
        })
        .collect()
}

#[test]
fn fingerprints_survive_lines_moving_and_tell_findings_apart() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("inv");
    cutover().arg("init").arg(&target).assert().success();
    let before = results(&sarif(&target));
    let file = target.join("systems/core.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("# moved\n# down\n# three lines\n{text}")).unwrap();
    let after = results(&sarif(&target));
    let prints = |r: &[(String, String, u64)]| {
        let mut p: Vec<(String, String)> =
            r.iter().map(|(a, b, _)| (a.clone(), b.clone())).collect();
        p.sort();
        p
    };
    assert_eq!(prints(&before), prints(&after));
    assert_ne!(
        before.iter().map(|r| r.2).collect::<Vec<_>>(),
        after.iter().map(|r| r.2).collect::<Vec<_>>(),
        "some finding moved"
    );
    let mut unique = prints(&before);
    unique.dedup_by(|a, b| a.1 == b.1);
    assert_eq!(unique.len(), before.len(), "one fingerprint per finding");
}

#[test]
fn sarif_columns_count_code_points_after_an_emoji() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("s.toml"),
        "[[team]]\nid = \"ops\"\nname = \"Ops\"\n\n[[system]]\nid = \"db\"\nname = \"DB\"\nowner = \"ops\"\ncriticality = \"low\"\nhealth = { notes = \"🙂\", status = \"fine\" }\n",
    )
    .unwrap();
    let log = sarif(dir.path());
    let region = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    // `health = { notes = "🙂", status = ` is 33 code points (34 UTF-16
    // units): the value starts in column 34 of code points.
    assert_eq!(region["startLine"], 10);
    assert_eq!(region["startColumn"], 34);
    assert_eq!(region["endColumn"], 40);
}

#[test]
fn the_lowest_level_is_info_everywhere() {
    let output = cutover()
        .args(["check", "--as-of", AS_OF, "--color", "never"])
        .arg(example())
        .output()
        .unwrap();
    let human = String::from_utf8(output.stdout).unwrap();
    assert!(
        human.contains("info[legacy-system]: `CHG-2043` changes `erp`"),
        "{human}"
    );
    assert!(!human.contains("note["));
    let colored = cutover()
        .args(["check", "--as-of", AS_OF, "--color", "always"])
        .arg(example())
        .output()
        .unwrap();
    let colored = String::from_utf8(colored.stdout).unwrap();
    assert!(colored.contains("info[legacy-system]") && !colored.contains("note["));
    let (_, document) = check_json(&example(), &[]);
    let legacy: Vec<&Value> = document["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "legacy-system")
        .collect();
    assert!(!legacy.is_empty() && legacy.iter().all(|d| d["level"] == "info"));
    let github = cutover()
        .args(["check", "--format", "github", "--as-of", AS_OF])
        .arg(example())
        .output()
        .unwrap();
    let github = String::from_utf8(github.stdout).unwrap();
    let notice = github
        .lines()
        .find(|l| l.contains("title=cutover legacy-system"))
        .expect("a legacy-system annotation");
    assert!(notice.starts_with("::notice file="), "{notice}");
    let site = tempfile::tempdir().unwrap();
    let out = site.path().join("site");
    cutover()
        .args([
            "build",
            "--as-of",
            AS_OF,
            "--allow-errors",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .arg(example())
        .assert()
        .success();
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        index.contains("</strong> infos</a>") || index.contains("</strong> info</a>"),
        "{index}"
    );
    assert!(!index.contains(" note"));
}

#[test]
fn gitlab_code_quality_has_one_issue_per_finding() {
    let output = cutover()
        .args(["check", "--format", "gitlab", "--as-of", AS_OF, "inventory"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "the example has errors");
    let issues: Value = serde_json::from_slice(&output.stdout).unwrap();
    let (_, document) = check_json(&example(), &[]);
    let issues = issues.as_array().unwrap();
    assert_eq!(
        issues.len(),
        document["diagnostics"].as_array().unwrap().len()
    );
    let legacy = issues
        .iter()
        .find(|i| i["check_name"] == "legacy-system")
        .unwrap();
    assert_eq!(legacy["severity"], "info");
    assert!(
        legacy["location"]["path"]
            .as_str()
            .unwrap()
            .starts_with("inventory/systems/")
    );
    assert!(legacy["location"]["lines"]["begin"].as_u64().unwrap() > 0);
    let errors = issues.iter().filter(|i| i["severity"] == "major").count();
    assert_eq!(
        errors as u64,
        document["summary"]["errors"].as_u64().unwrap()
    );
    let mut prints: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    prints.sort_unstable();
    prints.dedup();
    assert_eq!(prints.len(), issues.len());
}
