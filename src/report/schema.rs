//! `cutover schema`: JSON Schemas (draft 2020-12) of the inventory files,
//! for editor completion and checking (Taplo / Even Better TOML, VS Code,
//! check-jsonschema). Two schemas, because two kinds of file: `--file
//! config` for `cutover.toml` (`[site]`, `[policy]`, `[rules]`, `[risk]`,
//! `[export]`) and `--file entities` for every other file (the arrays of
//! tables). `cutover init` writes both next to a `.taplo.toml` that
//! associates them.
//!
//! Values are checked the way the loader reads them, as far as JSON Schema
//! can say it: ids and durations by pattern (an empty duration or a
//! malformed id fails), dates with the `date` format, date-times that may
//! be local or carry an offset with Taplo's `local-date-time` or the
//! standard `date-time` format and a pattern that accepts both. The loader
//! remains the judge; tests keep the two in step on the example inventory.

use serde_json::{Value, json};

use crate::base::{Family, Rule};

/// Which files a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaFile {
    /// `cutover.toml` at the inventory root.
    Config,
    /// Every other `*.toml` file of the inventory.
    Entities,
}

/// An id: `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`.
const ID: &str = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";
/// A duration: numbers with w, d, h, m, each at most once, largest first,
/// at least one (`""` is not a duration).
const DURATION: &str = "^([0-9]+w([0-9]+d)?([0-9]+h)?([0-9]+m)?|[0-9]+d([0-9]+h)?([0-9]+m)?|[0-9]+h([0-9]+m)?|[0-9]+m)$";
/// A TOML date-time as editors hand it over: local (`2026-12-06T02:00:00`,
/// also with a space or without seconds) or with an offset. Validators that
/// turn a local value into a string add a `Z` (check-jsonschema does), so
/// the pattern admits an offset on every value; the `format`s tell the two
/// apart where a validator knows them.
const DATETIME: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?([Zz]|[+-][0-9]{2}:[0-9]{2})?$";
const DATE: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

fn string(description: &str) -> Value {
    json!({"type": "string", "description": description})
}

fn strings(description: &str) -> Value {
    json!({"type": "array", "items": {"type": "string"}, "description": description})
}

fn id(description: &str) -> Value {
    json!({"$ref": "#/$defs/id", "description": description})
}

fn ids(description: &str) -> Value {
    json!({"type": "array", "items": {"$ref": "#/$defs/id"}, "description": description})
}

fn object(properties: Value, required: &[&str]) -> Value {
    json!({"type": "object", "additionalProperties": false, "properties": properties, "required": required})
}

fn array_of(item: Value, description: &str) -> Value {
    json!({"type": "array", "items": item, "description": description})
}

/// The value kinds both schemas share.
fn defs() -> Value {
    json!({
        "id": {"type": "string", "pattern": ID, "description": "an id: a letter or digit, then up to 63 letters, digits, `.`, `_` or `-`"},
        "scope_id": {"type": "string", "pattern": format!("^[*]$|{ID}"), "description": "a system id, or \"*\" for every system"},
        "duration": {"type": "string", "pattern": DURATION, "description": "\"90m\", \"2h\", \"1h30m\", \"3d\", \"2w\": units w, d, h, m, largest first"},
        "time_of_day": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$", "description": "\"HH:MM\" on a 24-hour clock"},
        "zone": {"type": "string", "minLength": 1, "description": "IANA time zone, such as Europe/Berlin"},
        "date": {"type": "string", "format": "date", "pattern": DATE, "description": "a TOML date, such as 2026-12-06"},
        "datetime": {
            "type": "string",
            "anyOf": [{"format": "local-date-time"}, {"format": "date-time"}],
            "pattern": DATETIME,
            "description": "a TOML local date-time (read in the entity's zone), such as 2026-12-06T02:00:00, or an offset date-time, such as 2026-12-06T01:00:00Z",
        },
        "date_or_datetime": {"anyOf": [{"$ref": "#/$defs/date"}, {"$ref": "#/$defs/datetime"}]},
        "criticality": {"enum": ["low", "medium", "high", "critical"]},
        "rrule": {"type": "string", "pattern": "^[A-Za-z]+=[^;]+(;[A-Za-z]+=[^;]+)*$", "description": "RFC 5545 RRULE: FREQ=DAILY|WEEKLY|MONTHLY|YEARLY with INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS, WKST"},
        "http_url": {"type": "string", "pattern": "^https?://", "format": "uri"},
    })
}

/// The schema of `file`, as a JSON value.
pub fn schema(file: SchemaFile) -> Value {
    match file {
        SchemaFile::Config => config(),
        SchemaFile::Entities => entities(),
    }
}

/// The schema of every inventory file but `cutover.toml`.
fn entities() -> Value {
    let duration = json!({"$ref": "#/$defs/duration"});
    let recurring = json!({
        "rrule": {"$ref": "#/$defs/rrule"},
        "start": {"$ref": "#/$defs/time_of_day"},
        "duration": duration,
        "timezone": {"$ref": "#/$defs/zone"},
    });
    let mut period_properties = json!({
        "id": id("unique among windows, freezes and peaks"),
        "name": string("display name"),
        "timezone": {"$ref": "#/$defs/zone"},
        "from": {"$ref": "#/$defs/date_or_datetime", "description": "one-off: start date-time; recurring: first date (DTSTART)"},
        "until": {"$ref": "#/$defs/date_or_datetime", "description": "one-off: end date-time; recurring: last date"},
        "rrule": recurring["rrule"],
        "start": recurring["start"],
        "duration": duration,
        "systems": {"type": "array", "items": {"$ref": "#/$defs/scope_id"}, "description": "scope: system ids, or [\"*\"] for all"},
        "tags": strings("scope: systems with these tags"),
        "processes": ids("scope: systems supporting these processes"),
        "reason": string("shown on the calendar and in findings"),
    });
    // A period is one-off (`from` and `until`) or recurring (`rrule`,
    // `start`, `duration`); the loader rejects one with neither form.
    let forms =
        json!([{"required": ["from", "until"]}, {"required": ["rrule", "start", "duration"]}]);
    let mut window = object(period_properties.clone(), &["id", "name"]);
    window["anyOf"] = forms.clone();
    period_properties["hard"] = json!({"type": "boolean", "default": true, "description": "a hard freeze is an error, a soft one a warning"});
    let mut freeze = object(period_properties, &["id", "name"]);
    freeze["anyOf"] = forms;
    let run = object(
        json!({
            "rrule": recurring["rrule"], "start": recurring["start"], "duration": duration,
            "timezone": recurring["timezone"],
            "from": {"$ref": "#/$defs/date"}, "until": {"$ref": "#/$defs/date"},
        }),
        &["rrule", "start", "duration"],
    );
    let text_list = |d: &str| strings(d);
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "cutover inventory file (entities)",
        "description": "A file of a cutover inventory other than cutover.toml: arrays of tables of systems, integrations, processes, teams, audiences, windows, freezes, peaks, changes and incidents.",
        "type": "object",
        "additionalProperties": false,
        "$defs": defs(),
        "properties": {
            "system": array_of(object(json!({
                "id": id("system id"), "name": string("display name"), "owner": id("team id"),
                "criticality": {"$ref": "#/$defs/criticality"},
                "kind": string("service, database, storage, network, host, saas, ..."),
                "stateful": {"type": "boolean", "default": false},
                "version": string("current version"),
                "legacy": {"type": "boolean", "default": false},
                "tags": strings("used by period scopes"),
                "third_party": strings("third-party tools and plugins, such as \"pgbouncer 1.21\""),
                "risks": text_list("known risks, shown in runbooks"),
                "health": object(json!({
                    "status": {"enum": ["healthy", "degraded", "down", "unknown"]},
                    "checked": {"$ref": "#/$defs/date"},
                    "notes": string("notes"),
                }), &["status"]),
                "description": string("Markdown"),
            }), &["id", "name", "owner", "criticality"]), "[[system]]"),
            "integration": array_of(object(json!({
                "id": id("integration id"), "consumer": id("system that uses the provider"), "provider": id("system used"),
                "kind": string("api, batch, queue, file, database, sso, ..."),
                "critical": {"type": "boolean", "default": true},
                "third_party": {"type": "boolean", "default": false},
                "runs": {"oneOf": [run, {"type": "array", "items": run}], "description": "when a batch integration runs"},
                "description": string("Markdown"),
            }), &["id", "consumer", "provider"]), "[[integration]]"),
            "process": array_of(object(json!({
                "id": id("process id"), "name": string("display name"),
                "criticality": {"$ref": "#/$defs/criticality"}, "owner": id("team id"),
                "systems": ids("systems it depends on"), "fallback": string("Markdown: manual workaround"),
            }), &["id", "name", "criticality", "systems"]), "[[process]]"),
            "team": array_of(object(json!({
                "id": id("team id"), "name": string("name"), "email": string("email"), "chat": string("chat channel"), "oncall": string("on-call contact"),
            }), &["id", "name"]), "[[team]]"),
            "audience": array_of(object(json!({
                "id": id("audience id"), "name": string("name"), "criticality": {"$ref": "#/$defs/criticality"},
                "contact": string("where announcements go"), "processes": ids("processes they rely on"), "systems": ids("systems they use"),
                "timezone": {"$ref": "#/$defs/zone"},
            }), &["id", "name", "criticality"]), "[[audience]]"),
            "window": array_of(window.clone(), "[[window]]: when changes are allowed"),
            "peak": array_of(window, "[[peak]]: high-usage time to avoid"),
            "freeze": array_of(freeze, "[[freeze]]: when changes are not allowed"),
            "change": array_of(change(), "[[change]]"),
            "incident": array_of(object(json!({
                "id": id("incident id"), "date": {"$ref": "#/$defs/date"}, "systems": ids("systems"),
                "change": id("change id"), "summary": string("summary"), "lesson": string("Markdown"),
            }), &["id", "date", "systems", "summary"]), "[[incident]]"),
        },
    })
}

/// The schema of `cutover.toml`.
fn config() -> Value {
    let duration = json!({"$ref": "#/$defs/duration"});
    let levels = json!({"enum": ["error", "warning", "info", "off"]});
    let overridable: Vec<&str> = Rule::ALL
        .iter()
        .filter(|r| r.family() != Family::Loading)
        .map(|r| r.name())
        .collect();
    let rules: serde_json::Map<String, Value> = overridable
        .iter()
        .map(|name| (name.to_string(), levels.clone()))
        .collect();
    // The score counts risk and schedule rules only; so do the weights.
    let weights: serde_json::Map<String, Value> = Rule::ALL
        .iter()
        .filter(|r| matches!(r.family(), Family::Risk | Family::Schedule))
        .map(|r| r.name())
        .map(|name| {
            (
                name.to_string(),
                json!({"type": "integer", "minimum": 0, "maximum": 100}),
            )
        })
        .collect();
    let applications = json!({
        "type": "object",
        "description": "system id = [names of the Argo CD applications that deploy it]",
        "propertyNames": {"pattern": ID},
        "additionalProperties": {"type": "array", "items": {"type": "string", "pattern": "^[a-z0-9.*-]+$"}},
    });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "cutover.toml",
        "description": "The configuration of a cutover inventory: site, policy, rules, risk and export. Every key is optional.",
        "type": "object",
        "additionalProperties": false,
        "$defs": defs(),
        "properties": {
            "site": object(json!({
                "title": string("default \"Changes\""), "base_url": {"type": "string", "pattern": "^https?://", "description": "absolute address of the published site"},
                "timezone": {"$ref": "#/$defs/zone"}, "language": string("default \"en\""),
                "rules_url": {"type": "string", "pattern": "^https?://", "description": "where the rule pages are published, {rule} standing for a rule's name (SARIF helpUri)"},
                "id": string("unique name of the site in calendar UIDs; default: the host and path of base_url"),
            }), &[]),
            "policy": object(json!({
                "notice": duration, "health_max_age": duration, "monitoring": duration, "min_soak": duration,
                "required_metrics": {"type": "array", "items": {"enum": ["response-time", "cpu", "memory", "error-rate", "integrations", "tickets", "other"]}},
            }), &[]),
            "rules": {"type": "object", "additionalProperties": false, "properties": rules},
            "risk": object(json!({
                "medium": {"type": "integer", "minimum": 0, "maximum": 100},
                "high": {"type": "integer", "minimum": 0, "maximum": 100},
                "critical": {"type": "integer", "minimum": 0, "maximum": 100},
                "weights": {"type": "object", "additionalProperties": false, "properties": weights},
            }), &[]),
            "export": object(json!({
                "argocd": object(json!({
                    "project": {"type": "string", "pattern": "^[a-z0-9.-]+$", "description": "the AppProject's name (default \"default\")"},
                    "namespace": {"type": "string", "pattern": "^[a-z0-9.-]+$", "description": "the AppProject's namespace (default \"argocd\")"},
                    "applications": applications,
                }), &[]),
            }), &[]),
        },
    })
}

/// The schema of a `[[change]]`.
fn change() -> Value {
    let duration = json!({"$ref": "#/$defs/duration"});
    let text_list = |d: &str| strings(d);
    let phase = object(
        json!({
            "name": string("name"), "start": {"$ref": "#/$defs/datetime"}, "duration": duration,
            "systems": ids("default: the change's systems"), "audiences": ids("audience ids"),
            "steps": text_list("steps"), "checks": text_list("go/no-go checks"),
        }),
        &["name", "start", "duration"],
    );
    let metric = object(
        json!({
            "name": string("name"),
            "kind": {"enum": ["response-time", "cpu", "memory", "error-rate", "integrations", "tickets", "other"]},
            "threshold": string("threshold"), "source": string("source"),
        }),
        &["name", "kind"],
    );
    let monitoring = object(
        json!({"duration": duration, "owner": id("team id"), "metrics": {"type": "array", "items": metric}}),
        &[],
    );
    let backup = object(
        json!({
            "method": string("method"), "scope": string("scope"), "location": string("location"),
            "restore_time": duration, "restore_tested": {"$ref": "#/$defs/date"},
            "none": string("why no backup is needed"),
        }),
        &[],
    );
    let rollback = object(
        json!({
            "steps": text_list("steps"), "time": duration, "triggers": text_list("when to roll back"),
            "owner": id("team id"), "switch_back": string("Markdown"), "point_of_no_return": string("text"),
        }),
        &[],
    );
    let testing = object(
        json!({
            "environment": string("where it was rehearsed"), "pre": text_list("before"), "during": text_list("during"),
            "post": text_list("after"), "evidence": string("evidence"), "failures": text_list("problems found"),
        }),
        &[],
    );
    let compat = object(
        json!({"target": string("integration id or third-party item"), "verified": {"type": "boolean"}, "notes": string("notes")}),
        &["target"],
    );
    let communication = object(
        json!({"audiences": ids("audiences told"), "channels": strings("channels"), "contact": string("contact"), "guidelines": string("Markdown")}),
        &[],
    );
    let outcome = object(
        json!({
            "result": {"enum": ["success", "partial", "rolled-back", "failed"]},
            "completed": {"$ref": "#/$defs/datetime"}, "notes": string("Markdown"), "issues": text_list("issues"),
        }),
        &["result"],
    );
    let approval = object(
        json!({"by": string("who"), "date": {"$ref": "#/$defs/date"}}),
        &["by", "date"],
    );
    object(
        json!({
            "id": id("change id"), "title": string("title"), "owner": id("team id"),
            "status": {"enum": ["draft", "proposed", "approved", "scheduled", "in-progress", "completed", "rolled-back", "cancelled"]},
            "systems": ids("systems this change modifies"),
            "timezone": {"$ref": "#/$defs/zone"},
            "summary": string("Markdown: what changes"), "why": string("Markdown: why"), "impact": string("Markdown: what users will notice"),
            "downtime": duration, "announced": {"$ref": "#/$defs/date"},
            "approvals": {"type": "array", "items": approval},
            "phase": {"type": "array", "minItems": 1, "items": phase},
            "backup": backup, "rollback": rollback, "testing": testing,
            "compat": {"type": "array", "items": compat},
            "monitoring": monitoring, "communication": communication, "outcome": outcome,
        }),
        &[
            "id", "title", "owner", "status", "systems", "summary", "why", "phase",
        ],
    )
}

/// The schema of `file`, pretty-printed.
pub fn render(file: SchemaFile) -> String {
    let mut text = serde_json::to_string_pretty(&schema(file)).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schema of one property of `schema` (following `$ref`, `anyOf`
    /// and `oneOf`), if the key is known.
    fn property<'s>(schema: &'s Value, root: &'s Value, key: &str) -> Option<&'s Value> {
        let schema = resolve(schema, root);
        if let Some(p) = schema.get("properties").and_then(|p| p.get(key)) {
            return Some(p);
        }
        if let Some(extra) = schema.get("additionalProperties").filter(|a| a.is_object()) {
            return Some(extra);
        }
        for options in ["oneOf", "anyOf"] {
            for option in schema
                .get(options)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(p) = property(option, root, key) {
                    return Some(p);
                }
            }
        }
        None
    }

    fn resolve<'s>(schema: &'s Value, root: &'s Value) -> &'s Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => &root["$defs"][reference.trim_start_matches("#/$defs/")],
            None => schema,
        }
    }

    fn items<'s>(schema: &'s Value, root: &'s Value) -> Option<&'s Value> {
        let schema = resolve(schema, root);
        schema.get("items").or_else(|| {
            schema
                .get("oneOf")
                .and_then(Value::as_array)
                .and_then(|o| o.iter().find_map(|s| s.get("items")))
        })
    }

    fn check(value: &toml::Value, schema: &Value, root: &Value, path: &str) {
        match value {
            toml::Value::Table(table) => {
                for (key, inner) in table {
                    let Some(p) = property(schema, root, key) else {
                        panic!("{path}.{key} is not in the schema");
                    };
                    check(inner, p, root, &format!("{path}.{key}"));
                }
            }
            toml::Value::Array(list) => {
                if let Some(item) = items(schema, root) {
                    for inner in list {
                        check(inner, item, root, &format!("{path}[]"));
                    }
                }
            }
            _ => {}
        }
    }

    /// Every key written in the example inventory is known to the schema
    /// of its kind of file, so the schemas and the loader stay in step.
    #[test]
    fn the_schemas_know_every_key_of_the_example() {
        let config = schema(SchemaFile::Config);
        let entities = schema(SchemaFile::Entities);
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("inventory");
        let mut files = 0;
        for entry in walkdir::WalkDir::new(&dir)
            .into_iter()
            .filter_map(Result::ok)
        {
            if entry.path().extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(entry.path()).unwrap();
                let value = toml::Value::Table(text.parse::<toml::Table>().unwrap());
                let root = if entry.path() == dir.join("cutover.toml") {
                    &config
                } else {
                    &entities
                };
                check(&value, root, root, &entry.path().display().to_string());
                files += 1;
            }
        }
        assert!(files > 10);
    }

    #[test]
    fn config_tables_and_entity_arrays_are_apart() {
        let config = schema(SchemaFile::Config);
        let entities = schema(SchemaFile::Entities);
        assert!(config["properties"].get("site").is_some());
        assert!(config["properties"].get("system").is_none());
        assert!(entities["properties"].get("system").is_some());
        assert!(entities["properties"].get("site").is_none());
        assert_eq!(entities["additionalProperties"], false);
        assert_eq!(config["additionalProperties"], false);
    }
}
