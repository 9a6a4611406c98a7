//! `cutover schema`: a JSON Schema (draft 2020-12) of the inventory files,
//! for editor completion and checking (Taplo / Even Better TOML, VS Code).
//! One schema covers every file: entity arrays, and the tables of
//! `cutover.toml` (which belong in that file only). The loader remains the
//! judge; a test keeps the two in step on the example inventory.

use serde_json::{Value, json};

use crate::base::{Family, Rule};

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

/// The schema as a JSON value.
pub fn schema() -> Value {
    let duration = json!({"$ref": "#/$defs/duration"});
    let recurring = json!({
        "rrule": string("RFC 5545 RRULE: FREQ=DAILY|WEEKLY|MONTHLY|YEARLY with INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS, WKST"),
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
        "systems": strings("scope: system ids, or [\"*\"] for all"),
        "tags": strings("scope: systems with these tags"),
        "processes": ids("scope: systems supporting these processes"),
        "reason": string("shown on the calendar and in findings"),
    });
    let window = object(period_properties.clone(), &["id", "name"]);
    period_properties["hard"] = json!({"type": "boolean", "default": true, "description": "a hard freeze is an error, a soft one a warning"});
    let freeze = object(period_properties, &["id", "name"]);
    let run = object(
        json!({
            "rrule": recurring["rrule"], "start": recurring["start"], "duration": duration,
            "timezone": recurring["timezone"],
            "from": {"$ref": "#/$defs/date"}, "until": {"$ref": "#/$defs/date"},
        }),
        &["rrule", "start", "duration"],
    );
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
    let weights: serde_json::Map<String, Value> = overridable
        .iter()
        .map(|name| {
            (
                name.to_string(),
                json!({"type": "integer", "minimum": 0, "maximum": 100}),
            )
        })
        .collect();
    let text_list = |d: &str| strings(d);
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "cutover inventory file",
        "description": "A file of a cutover inventory: arrays of entities; cutover.toml holds site, policy, rules and risk.",
        "type": "object",
        "additionalProperties": false,
        "$defs": {
            "id": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"},
            "duration": {"type": "string", "pattern": "^([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?$", "description": "\"90m\", \"2h\", \"1h30m\", \"3d\", \"2w\""},
            "time_of_day": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"},
            "zone": {"type": "string", "description": "IANA time zone, such as Europe/Berlin"},
            "date": {"type": "string", "format": "date", "description": "a TOML date, such as 2026-12-06"},
            "datetime": {"type": "string", "format": "date-time", "description": "a TOML local or offset date-time"},
            "date_or_datetime": {"type": "string"},
            "criticality": {"enum": ["low", "medium", "high", "critical"]},
        },
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
            "site": object(json!({
                "title": string("default \"Changes\""), "base_url": string("absolute address of the published site"),
                "timezone": {"$ref": "#/$defs/zone"}, "language": string("default \"en\""),
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

/// The schema, pretty-printed.
pub fn render() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key written in the example inventory is known to the schema,
    /// so the schema and the loader stay in step.
    #[test]
    fn the_schema_knows_every_key_of_the_example() {
        fn check(value: &toml::Value, schema: &Value, root: &Value, path: &str) {
            let schema = match schema.get("$ref").and_then(Value::as_str) {
                Some(reference) => &root["$defs"][reference.trim_start_matches("#/$defs/")],
                None => schema,
            };
            match value {
                toml::Value::Table(table) => {
                    let properties = schema.get("properties").or_else(|| {
                        schema
                            .get("oneOf")
                            .and_then(|options| options[0].get("properties"))
                    });
                    for (key, inner) in table {
                        let Some(property) = properties.and_then(|p| p.get(key)) else {
                            panic!("{path}.{key} is not in the schema");
                        };
                        check(inner, property, root, &format!("{path}.{key}"));
                    }
                }
                toml::Value::Array(items) => {
                    let item_schema = schema
                        .get("items")
                        .cloned()
                        .or_else(|| schema.get("oneOf").map(|o| o[1]["items"].clone()));
                    if let Some(item_schema) = item_schema {
                        for item in items {
                            check(item, &item_schema, root, &format!("{path}[]"));
                        }
                    }
                }
                _ => {}
            }
        }
        let root = schema();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("inventory");
        let mut files = 0;
        for entry in walkdir::WalkDir::new(&dir)
            .into_iter()
            .filter_map(Result::ok)
        {
            if entry.path().extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(entry.path()).unwrap();
                let value: toml::Value = toml::Value::Table(text.parse::<toml::Table>().unwrap());
                check(&value, &root, &root, &entry.path().display().to_string());
                files += 1;
            }
        }
        assert!(files > 10);
    }
}
