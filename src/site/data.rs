//! Render stage: `data.json`, the `--format json` document of the check
//! plus the inventory itself: every entity of every file, grouped by kind
//! in file order, and `cutover.toml` as `config`.

use serde_json::{Map, Value};

use crate::check::Checked;

/// A TOML value as JSON; datetimes become their TOML text.
fn json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => {
            serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
        }
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(json).collect()),
        toml::Value::Table(table) => {
            Value::Object(table.iter().map(|(k, v)| (k.clone(), json(v))).collect())
        }
    }
}

pub fn document(checked: &Checked) -> String {
    let check = crate::report::json::document(
        &checked.findings,
        &checked.sources,
        &checked.model,
        &checked.facts,
        &checked.risks,
        &checked.as_of.to_string(),
    );
    let mut root = match serde_json::to_value(&check) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let mut inventory = Map::new();
    for file in checked.sources.files() {
        let Ok(table) = file.text.parse::<toml::Table>() else {
            continue;
        };
        if file.path == "cutover.toml" {
            inventory.insert("config".into(), json(&toml::Value::Table(table)));
            continue;
        }
        for (kind, value) in table {
            let list = inventory
                .entry(kind)
                .or_insert_with(|| Value::Array(Vec::new()));
            if let (Value::Array(list), toml::Value::Array(items)) = (list, &value) {
                list.extend(items.iter().map(json));
            }
        }
    }
    root.insert("inventory".into(), Value::Object(inventory));
    // Compact: the file is data for programs (`jq .` pretty-prints it).
    let text = serde_json::to_string(&Value::Object(root)).unwrap_or_default();
    // Escaped so that no inventory text can be read as markup, should the
    // file ever be served or embedded as HTML.
    let mut text = text
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    text.push('\n');
    text
}
