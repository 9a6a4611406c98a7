//! Render stage: `data.json`, the `--format json` document of the check
//! plus the inventory: the model serialised in the vocabulary of
//! inventory.md (every entity grouped by kind in load order, `cutover.toml`
//! as `config`), with defaults filled in and references as ids. It reads no
//! file: everything comes from the model and the facts.
//!
//! Values are written in their canonical forms: durations as `cutover`
//! prints them (`"90m"` reads back as `"1h30m"`), RRULEs part by part,
//! date-times with an offset in UTC.

use std::io::Write;

use serde_json::{Map, Value, json};

use crate::base::Override;
use crate::check::Checked;
use crate::model::{
    Audience, Backup, Change, Config, DateTime, Duration, Incident, Integration, Model, Period,
    PeriodKind, Process, Recurrence, Ref, System, Team, When,
};
use crate::report::json;

/// An object from pairs, leaving out the `None`s.
fn object<const N: usize>(fields: [(&str, Option<Value>); N]) -> Value {
    Value::Object(
        fields
            .into_iter()
            .filter_map(|(key, value)| value.map(|v| (key.to_string(), v)))
            .collect(),
    )
}

fn text(value: &str) -> Option<Value> {
    Some(Value::String(value.to_string()))
}

fn opt_text(value: &Option<String>) -> Option<Value> {
    value.as_deref().and_then(text)
}

fn texts(values: &[String]) -> Option<Value> {
    Some(values.iter().map(|v| Value::String(v.clone())).collect())
}

fn id<K>(r: &Ref<K>) -> Value {
    Value::String(r.id.value.clone())
}

fn ids<K>(refs: &[Ref<K>]) -> Option<Value> {
    Some(refs.iter().map(id).collect())
}

fn duration(d: Duration) -> Option<Value> {
    text(&d.to_string())
}

fn shown(value: impl std::fmt::Display) -> Option<Value> {
    text(&value.to_string())
}

fn datetime(dt: &DateTime) -> Option<Value> {
    match dt {
        DateTime::Local(local) => shown(local),
        DateTime::Offset(instant) => shown(instant),
    }
}

fn time_of_day(t: jiff::civil::Time) -> Option<Value> {
    let format = if t.second() == 0 { "%H:%M" } else { "%H:%M:%S" };
    text(&t.strftime(format).to_string())
}

fn flag(b: bool) -> Option<Value> {
    Some(Value::Bool(b))
}

fn system(s: &System) -> Value {
    object([
        ("id", text(&s.id.value)),
        ("name", text(&s.name)),
        ("owner", Some(id(&s.owner))),
        ("criticality", text(s.criticality.value.name())),
        ("kind", opt_text(&s.kind)),
        ("stateful", flag(s.stateful)),
        ("version", opt_text(&s.version)),
        ("legacy", flag(s.legacy.is_some())),
        ("tags", texts(&s.tags)),
        (
            "third_party",
            Some(s.third_party.iter().map(|t| json!(t.value)).collect()),
        ),
        ("risks", texts(&s.risks)),
        (
            "health",
            s.health.as_ref().map(|h| {
                object([
                    ("status", text(h.status.value.name())),
                    ("checked", h.checked.as_ref().and_then(|c| shown(c.value))),
                    ("notes", opt_text(&h.notes)),
                ])
            }),
        ),
        ("description", opt_text(&s.description)),
    ])
}

/// The recurring fields of a run or a period.
fn recurrence(r: &Recurrence, fields: &mut Map<String, Value>) {
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            fields.insert(key.to_string(), value);
        }
    };
    put("rrule", shown(&r.rrule.value));
    put("start", time_of_day(r.start.value));
    put("duration", duration(r.duration.value));
    put("from", r.from.as_ref().and_then(|d| shown(d.value)));
    put("until", r.until.as_ref().and_then(|d| shown(d.value)));
    put(
        "timezone",
        r.timezone.as_ref().and_then(|z| text(&z.value.name)),
    );
}

fn integration(i: &Integration) -> Value {
    let runs: Vec<Value> = i
        .runs
        .iter()
        .map(|run| {
            let mut fields = Map::new();
            recurrence(run, &mut fields);
            Value::Object(fields)
        })
        .collect();
    let runs = match (i.runs_table, runs.len()) {
        (_, 0) => None,
        (true, 1) => runs.into_iter().next(),
        _ => Some(Value::Array(runs)),
    };
    object([
        ("id", text(&i.id.value)),
        ("consumer", Some(id(&i.consumer))),
        ("provider", Some(id(&i.provider))),
        ("kind", opt_text(&i.kind)),
        ("critical", flag(i.critical)),
        ("third_party", flag(i.third_party)),
        ("runs", runs),
        ("description", opt_text(&i.description)),
    ])
}

fn process(p: &Process) -> Value {
    object([
        ("id", text(&p.id.value)),
        ("name", text(&p.name)),
        ("criticality", text(p.criticality.value.name())),
        ("owner", p.owner.as_ref().map(id)),
        ("systems", ids(&p.systems)),
        ("fallback", opt_text(&p.fallback)),
    ])
}

fn team(t: &Team) -> Value {
    object([
        ("id", text(&t.id.value)),
        ("name", text(&t.name)),
        ("email", opt_text(&t.email)),
        ("chat", opt_text(&t.chat)),
        ("oncall", opt_text(&t.oncall)),
    ])
}

fn audience(a: &Audience) -> Value {
    object([
        ("id", text(&a.id.value)),
        ("name", text(&a.name)),
        ("criticality", text(a.criticality.value.name())),
        ("contact", opt_text(&a.contact)),
        ("processes", ids(&a.processes)),
        ("systems", ids(&a.systems)),
    ])
}

fn period(p: &Period) -> Value {
    // Every system: `"*"` first in `systems`.
    let mut systems: Vec<Value> = Vec::new();
    if p.scope.everything {
        systems.push(json!("*"));
    }
    systems.extend(p.scope.systems.iter().map(id));
    let Value::Object(mut fields) = object([
        ("id", text(&p.id.value)),
        ("name", text(&p.name)),
        (
            "timezone",
            p.timezone.as_ref().and_then(|z| text(&z.value.name)),
        ),
        ("systems", Some(Value::Array(systems))),
        ("tags", texts(&p.scope.tags)),
        ("processes", ids(&p.scope.processes)),
        (
            "hard",
            (p.kind == PeriodKind::Freeze).then_some(Value::Bool(p.hard)),
        ),
        ("reason", opt_text(&p.reason)),
    ]) else {
        unreachable!("object() makes objects")
    };
    match &p.when {
        When::Once { from, until } => {
            fields.extend(
                [("from", &from.value), ("until", &until.value)]
                    .into_iter()
                    .filter_map(|(key, dt)| datetime(dt).map(|v| (key.to_string(), v))),
            );
        }
        When::Recurring(r) => recurrence(r, &mut fields),
    }
    Value::Object(fields)
}

fn change(c: &Change) -> Value {
    let phases: Vec<Value> = c
        .phases
        .iter()
        .map(|p| {
            object([
                ("name", text(&p.name)),
                ("start", datetime(&p.start.value)),
                ("duration", duration(p.duration.value)),
                ("systems", ids(&p.systems)),
                ("audiences", ids(&p.audiences)),
                ("steps", texts(&p.steps)),
                ("checks", texts(&p.checks)),
            ])
        })
        .collect();
    let backup = c.backup.as_ref().map(|b| match b {
        Backup::None { reason, .. } => object([("none", text(&reason.value))]),
        Backup::Plan {
            method,
            scope,
            location,
            restore_time,
            restore_tested,
            ..
        } => object([
            ("method", opt_text(method)),
            ("scope", opt_text(scope)),
            ("location", opt_text(location)),
            (
                "restore_time",
                restore_time.as_ref().and_then(|d| duration(d.value)),
            ),
            (
                "restore_tested",
                restore_tested.as_ref().and_then(|d| shown(d.value)),
            ),
        ]),
    });
    let rollback = c.rollback.as_ref().map(|r| {
        object([
            ("steps", texts(&r.steps)),
            ("time", r.time.as_ref().and_then(|d| duration(d.value))),
            ("triggers", texts(&r.triggers)),
            ("owner", r.owner.as_ref().map(id)),
            ("switch_back", opt_text(&r.switch_back)),
            ("point_of_no_return", opt_text(&r.point_of_no_return)),
        ])
    });
    let testing = c.testing.as_ref().map(|t| {
        object([
            ("environment", opt_text(&t.environment)),
            ("pre", texts(&t.pre)),
            ("during", texts(&t.during)),
            ("post", texts(&t.post)),
            ("evidence", opt_text(&t.evidence)),
            ("failures", texts(&t.failures)),
        ])
    });
    let compat: Vec<Value> = c
        .compat
        .iter()
        .map(|x| {
            object([
                ("target", text(&x.target.value)),
                ("verified", flag(x.verified)),
                ("notes", opt_text(&x.notes)),
            ])
        })
        .collect();
    let monitoring = c.monitoring.as_ref().map(|m| {
        let metrics: Vec<Value> = m
            .metrics
            .iter()
            .map(|x| {
                object([
                    ("name", text(&x.name)),
                    ("kind", text(x.kind.value.name())),
                    ("threshold", opt_text(&x.threshold)),
                    ("source", opt_text(&x.source)),
                ])
            })
            .collect();
        object([
            (
                "duration",
                m.duration.as_ref().and_then(|d| duration(d.value)),
            ),
            ("owner", m.owner.as_ref().map(id)),
            ("metrics", Some(Value::Array(metrics))),
        ])
    });
    let communication = c.communication.as_ref().map(|x| {
        object([
            ("audiences", ids(&x.audiences)),
            ("channels", texts(&x.channels)),
            ("contact", opt_text(&x.contact)),
            ("guidelines", opt_text(&x.guidelines)),
        ])
    });
    let outcome = c.outcome.as_ref().map(|o| {
        object([
            ("result", text(o.result.value.name())),
            (
                "completed",
                o.completed.as_ref().and_then(|d| datetime(&d.value)),
            ),
            ("notes", opt_text(&o.notes)),
            ("issues", texts(&o.issues)),
        ])
    });
    let approvals: Vec<Value> = c
        .approvals
        .iter()
        .map(|a| object([("by", text(&a.by)), ("date", shown(a.date.value))]))
        .collect();
    object([
        ("id", text(&c.id.value)),
        ("title", text(&c.title)),
        ("owner", Some(id(&c.owner))),
        ("status", text(c.status.value.name())),
        ("systems", ids(&c.systems)),
        (
            "timezone",
            c.timezone.as_ref().and_then(|z| text(&z.value.name)),
        ),
        ("summary", text(&c.summary)),
        ("why", text(&c.why)),
        ("impact", opt_text(&c.impact)),
        (
            "downtime",
            c.downtime.as_ref().and_then(|d| duration(d.value)),
        ),
        (
            "announced",
            c.announced.as_ref().and_then(|d| shown(d.value)),
        ),
        ("approvals", Some(Value::Array(approvals))),
        ("phase", Some(Value::Array(phases))),
        ("backup", backup),
        ("rollback", rollback),
        ("testing", testing),
        ("compat", Some(Value::Array(compat))),
        ("monitoring", monitoring),
        ("communication", communication),
        ("outcome", outcome),
    ])
}

fn incident(i: &Incident) -> Value {
    object([
        ("id", text(&i.id.value)),
        ("date", shown(i.date.value)),
        ("systems", ids(&i.systems)),
        ("change", i.change.as_ref().map(id)),
        ("summary", text(&i.summary)),
        ("lesson", opt_text(&i.lesson)),
    ])
}

fn config(c: &Config) -> Value {
    let site = &c.site;
    let policy = &c.policy;
    let rules: Map<String, Value> = c
        .rules
        .iter()
        .map(|(rule, o)| {
            let level = match o {
                Override::Off => "off",
                Override::Level(level) => level.name(),
            };
            (rule.name().to_string(), json!(level))
        })
        .collect();
    let weights: Map<String, Value> = c
        .risk
        .weights
        .iter()
        .map(|(rule, points)| (rule.name().to_string(), json!(points)))
        .collect();
    object([
        (
            "site",
            Some(object([
                ("title", text(&site.title)),
                ("base_url", opt_text(&site.base_url)),
                ("timezone", text(&site.timezone.name)),
                ("language", text(&site.language)),
            ])),
        ),
        (
            "policy",
            Some(object([
                ("notice", duration(policy.notice)),
                ("health_max_age", duration(policy.health_max_age)),
                ("monitoring", duration(policy.monitoring)),
                ("min_soak", duration(policy.min_soak)),
                (
                    "required_metrics",
                    Some(
                        policy
                            .required_metrics
                            .iter()
                            .map(|k| json!(k.name()))
                            .collect(),
                    ),
                ),
            ])),
        ),
        ("rules", Some(Value::Object(rules))),
        (
            "risk",
            Some(object([
                ("medium", Some(json!(c.risk.medium))),
                ("high", Some(json!(c.risk.high))),
                ("critical", Some(json!(c.risk.critical))),
                ("weights", Some(Value::Object(weights))),
            ])),
        ),
    ])
}

/// `data.json`: the `--format json` document of the check plus the inventory
/// as written (defaults filled in), compact, with `<`, `>` and `&` escaped;
/// written to `out` entity by entity, never held whole. The keys of every
/// object come sorted, as a `serde_json::Value` orders them.
///
/// Entities are made on every core, a window at a time ([`par_array`]), and
/// written in order: the document is the same bytes whatever the threads,
/// and memory holds one window, not the millions of impacted ids of the
/// whole plan at scale.
pub fn write_document(checked: &Checked, out: &mut dyn Write) -> std::io::Result<()> {
    let model = &checked.model;
    // Strings are written with `<`, `>` and `&` escaped (see [`HtmlSafe`]);
    // the parts written here hold none of the three.
    // Compact: the file is data for programs (`jq .` pretty-prints it).
    // The keys in sorted order: as_of, changes, diagnostics, inventory,
    // summary, version.
    out.write_all(b"{\"as_of\":")?;
    value(out, &checked.as_of.to_string())?;
    out.write_all(b",\"changes\":")?;
    let quoted = quoted_system_ids(model)?;
    let order = json::change_order(model);
    // A change's entry lists every system it impacts: up to one per system.
    par_array(out, order.len(), 64, |k, buf| {
        write_change(buf, checked, &quoted, order[k])
    })?;
    out.write_all(b",\"diagnostics\":")?;
    let findings = &checked.findings;
    par_array(out, findings.len(), 1024, |k, buf| {
        let diagnostic = json::diagnostic(&findings[k], &checked.sources);
        json_to(buf, &SortedDiagnostic::of(&diagnostic))
    })?;
    out.write_all(b",\"inventory\":")?;
    write_inventory(model, out)?;
    out.write_all(b",\"summary\":")?;
    value(out, &crate::base::Summary::of(findings))?;
    out.write_all(b",\"version\":")?;
    value(out, &1u32)?;
    out.write_all(b"}\n")
}

/// Each system's id as a JSON string (quotes included, escaped by
/// [`HtmlSafe`]), by system index: impacted lists are copied from these
/// rather than escaped again for each of their millions of entries.
fn quoted_system_ids(model: &Model) -> std::io::Result<Vec<Box<[u8]>>> {
    use rayon::prelude::*;
    model
        .systems
        .par_iter()
        .map(|s| {
            let mut out = Vec::with_capacity(s.id.value.len() + 2);
            json_to(&mut out, s.id.value.as_str())?;
            Ok(out.into_boxed_slice())
        })
        .collect()
}

/// The check document's entry of change `ix` with its keys (and those of
/// what it holds) in sorted order: id, impacted (audiences, processes,
/// systems), phases, risk, status. The same bytes as the entry through a
/// `Value` (see the tests).
fn write_change(
    out: &mut Vec<u8>,
    checked: &Checked,
    quoted: &[Box<[u8]>],
    ix: usize,
) -> std::io::Result<()> {
    let model = &checked.model;
    let change = &model.changes[ix];
    out.extend_from_slice(b"{\"id\":");
    json_to(out, change.id.value.as_str())?;
    if let Some(f) = checked.facts.changes.get(ix) {
        out.extend_from_slice(b",\"impacted\":{\"audiences\":");
        json_to(out, &json::impacted_audiences(model, f))?;
        out.extend_from_slice(b",\"processes\":");
        json_to(out, &json::impacted_processes(model, f))?;
        out.extend_from_slice(b",\"systems\":[");
        for (k, s) in json::impacted_systems(f, &checked.facts.system_rank)
            .into_iter()
            .enumerate()
        {
            if k > 0 {
                out.push(b',');
            }
            out.extend_from_slice(&quoted[s]);
        }
        out.extend_from_slice(b"]},\"phases\":");
        let phases = json::phase_entries(change, f);
        let sorted: Vec<SortedPhase> = phases.iter().map(SortedPhase::of).collect();
        json_to(out, &sorted)?;
    }
    if let Some(risk) = checked.risks.get(ix) {
        out.extend_from_slice(b",\"risk\":");
        json_to(out, &SortedRisk::of(risk))?;
    }
    out.extend_from_slice(b",\"status\":");
    json_to(out, &change.status.value)?;
    out.push(b'}');
    Ok(())
}

/// `item` as compact JSON, strings escaped by [`HtmlSafe`].
fn json_to<T: serde::Serialize + ?Sized>(out: &mut dyn Write, item: &T) -> std::io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, HtmlSafe);
    item.serialize(&mut serializer)
        .map_err(std::io::Error::other)
}

/// serde_json's compact form, with `<`, `>` and `&` in strings written as
/// `\u003c`, `\u003e` and `\u0026`, so that no inventory text can be read
/// as markup should the file ever be served or embedded as HTML. Outside
/// strings JSON has none of the three.
struct HtmlSafe;

impl serde_json::ser::Formatter for HtmlSafe {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let bytes = fragment.as_bytes();
        let mut start = 0;
        for (at, &byte) in bytes.iter().enumerate() {
            let escape: &[u8] = match byte {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                b'&' => b"\\u0026",
                _ => continue,
            };
            writer.write_all(&bytes[start..at])?;
            writer.write_all(escape)?;
            start = at + 1;
        }
        writer.write_all(&bytes[start..])
    }
}

/// A diagnostic of the check's document with its keys in sorted order,
/// written without building a `Value` (37,000 of them at the generated
/// scale; [`value`] gives the same bytes, see the tests).
#[derive(serde::Serialize)]
struct SortedDiagnostic<'a> {
    change: Option<&'a str>,
    column: usize,
    file: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    level: &'static str,
    line: usize,
    message: &'a str,
    rule: &'static str,
    subjects: &'a [String],
}

impl<'a> SortedDiagnostic<'a> {
    fn of(d: &crate::report::json::Diagnostic<'a>) -> Self {
        SortedDiagnostic {
            change: d.change,
            column: d.column,
            file: d.file,
            help: d.help,
            level: d.level,
            line: d.line,
            message: d.message,
            rule: d.rule,
            subjects: d.subjects,
        }
    }
}

/// A placed phase with its keys in sorted order.
#[derive(serde::Serialize)]
struct SortedPhase<'a, 'd> {
    end: &'d str,
    end_utc: &'d str,
    name: &'a str,
    start: &'d str,
    start_utc: &'d str,
    zone: &'a str,
}

impl<'a, 'd> SortedPhase<'a, 'd> {
    fn of(p: &'d json::PhaseEntry<'a>) -> Self {
        SortedPhase {
            end: &p.end,
            end_utc: &p.end_utc,
            name: p.name,
            start: &p.start,
            start_utc: &p.start_utc,
            zone: p.zone,
        }
    }
}

/// A risk with its keys (and those of its factors) in sorted order.
#[derive(serde::Serialize)]
struct SortedRisk<'a> {
    factors: Vec<SortedFactor<'a>>,
    level: crate::analysis::score::RiskLevel,
    score: u32,
}

#[derive(serde::Serialize)]
struct SortedFactor<'a> {
    detail: &'a str,
    name: &'a str,
    points: u32,
}

impl<'a> SortedRisk<'a> {
    fn of(r: &'a crate::analysis::score::Risk) -> Self {
        SortedRisk {
            factors: r
                .factors
                .iter()
                .map(|f| SortedFactor {
                    detail: &f.detail,
                    name: &f.name,
                    points: f.points,
                })
                .collect(),
            level: r.level,
            score: r.score,
        }
    }
}

/// `item` as compact JSON with sorted keys (through a `Value`, one entity
/// at a time).
fn value<T: serde::Serialize>(out: &mut dyn Write, item: &T) -> std::io::Result<()> {
    let item = serde_json::to_value(item).map_err(std::io::Error::other)?;
    json_to(out, &item)
}

/// A JSON array of `n` items, item `k` made by `each(k, buffer)` on some
/// core, `window` items at a time, and written in order. The buffers are
/// kept from one window to the next, so their memory is reused.
fn par_array(
    out: &mut dyn Write,
    n: usize,
    window: usize,
    each: impl Fn(usize, &mut Vec<u8>) -> std::io::Result<()> + Sync,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    let mut buffers: Vec<Vec<u8>> = vec![Vec::new(); window.min(n)];
    out.write_all(b"[")?;
    for start in (0..n).step_by(window.max(1)) {
        let shown = &mut buffers[..window.min(n - start)];
        shown
            .par_iter_mut()
            .enumerate()
            .try_for_each(|(k, buffer)| {
                buffer.clear();
                each(start + k, buffer)
            })?;
        for (k, buffer) in shown.iter().enumerate() {
            if start + k > 0 {
                out.write_all(b",")?;
            }
            out.write_all(buffer)?;
        }
    }
    out.write_all(b"]")
}

/// The inventory part, a list per entity kind that has entities, written
/// kind by kind and entity by entity, kinds in sorted order.
fn write_inventory(model: &Model, out: &mut dyn Write) -> std::io::Result<()> {
    fn kind<T>(
        out: &mut dyn Write,
        first: &mut bool,
        name: &str,
        items: &[T],
        each: impl Fn(&T) -> Value + Sync,
    ) -> std::io::Result<()>
    where
        T: Sync,
    {
        if items.is_empty() {
            return Ok(());
        }
        if !*first {
            out.write_all(b",")?;
        }
        *first = false;
        json_to(&mut *out, name)?;
        out.write_all(b":")?;
        par_array(out, items.len(), 1024, |k, buffer| {
            json_to(buffer, &each(&items[k]))
        })
    }
    let periods =
        |k: PeriodKind| -> Vec<&Period> { model.periods.iter().filter(|p| p.kind == k).collect() };
    let first = &mut true;
    out.write_all(b"{")?;
    kind(out, first, "audience", &model.audiences, audience)?;
    kind(out, first, "change", &model.changes, change)?;
    // Always there, and an object, not a list.
    out.write_all(if *first {
        b"\"config\":"
    } else {
        b",\"config\":"
    })?;
    json_to(&mut *out, &config(&model.config))?;
    *first = false;
    kind(out, first, "freeze", &periods(PeriodKind::Freeze), |p| {
        period(p)
    })?;
    kind(out, first, "incident", &model.incidents, incident)?;
    kind(out, first, "integration", &model.integrations, integration)?;
    kind(out, first, "peak", &periods(PeriodKind::Peak), |p| {
        period(p)
    })?;
    kind(out, first, "process", &model.processes, process)?;
    kind(out, first, "system", &model.systems, system)?;
    kind(out, first, "team", &model.teams, team)?;
    kind(out, first, "window", &periods(PeriodKind::Window), |p| {
        period(p)
    })?;
    out.write_all(b"}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The inventory part as one value, built the plain way: what the
    /// streamed [`write_inventory`] must equal.
    fn inventory(model: &Model) -> Map<String, Value> {
        let mut out = Map::new();
        let mut put = |kind: &str, items: Vec<Value>| {
            if !items.is_empty() {
                out.insert(kind.to_string(), Value::Array(items));
            }
        };
        put("system", model.systems.iter().map(system).collect());
        put(
            "integration",
            model.integrations.iter().map(integration).collect(),
        );
        put("process", model.processes.iter().map(process).collect());
        put("team", model.teams.iter().map(team).collect());
        put("audience", model.audiences.iter().map(audience).collect());
        for (kind, name) in [
            (PeriodKind::Window, "window"),
            (PeriodKind::Freeze, "freeze"),
            (PeriodKind::Peak, "peak"),
        ] {
            put(
                name,
                model
                    .periods
                    .iter()
                    .filter(|p| p.kind == kind)
                    .map(period)
                    .collect(),
            );
        }
        put("change", model.changes.iter().map(change).collect());
        put("incident", model.incidents.iter().map(incident).collect());
        out.insert("config".into(), config(&model.config));
        out
    }

    /// `data.json`: the `--format json` document of the check plus the inventory
    /// as written (defaults filled in), compact, with `<`, `>` and `&` escaped.
    fn document(checked: &Checked) -> String {
        let mut bytes = Vec::new();
        // Writing to memory cannot fail, and the JSON is UTF-8.
        let _ = write_document(checked, &mut bytes);
        String::from_utf8(bytes).unwrap_or_default()
    }

    /// The `--format json` document of `checked`.
    fn check_document(checked: &Checked) -> json::Document<'_> {
        json::document(
            &checked.findings,
            &checked.sources,
            &checked.model,
            &checked.facts,
            &checked.risks,
            &checked.as_of.to_string(),
        )
    }

    /// The sorted forms give the bytes of the same entries through a
    /// `Value`, on the example inventory and on one whose plan was not
    /// analysed.
    #[test]
    fn sorted_entries_are_their_values() {
        let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("inventory");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("bad.toml"),
            "[[change]]\nid = \"c\"\n[oops\n",
        )
        .unwrap();
        let mut seen = 0;
        for inventory in [example.as_path(), dir.path()] {
            let checked =
                crate::check::check(inventory, jiff::civil::Date::constant(2026, 11, 24)).unwrap();
            let check = check_document(&checked);
            let bytes = |f: &mut dyn FnMut(&mut Vec<u8>) -> std::io::Result<()>| {
                let mut out = Vec::new();
                f(&mut out).unwrap();
                String::from_utf8(out).unwrap()
            };
            let quoted = quoted_system_ids(&checked.model).unwrap();
            let order = json::change_order(&checked.model);
            assert_eq!(order.len(), check.changes.len());
            for (c, &ix) in check.changes.iter().zip(&order) {
                assert_eq!(
                    bytes(&mut |out| write_change(out, &checked, &quoted, ix)),
                    bytes(&mut |out| value(out, c))
                );
                seen += usize::from(c.risk.is_some());
            }
            for d in &check.diagnostics {
                assert_eq!(
                    bytes(&mut |out| json_to(out, &SortedDiagnostic::of(d))),
                    bytes(&mut |out| value(out, d))
                );
            }
            assert!(!check.diagnostics.is_empty());
        }
        assert!(seen > 10, "the example's changes are analysed");
    }

    #[test]
    fn the_streamed_inventory_is_the_inventory_value_with_escapes() {
        let dir = tempfile::tempdir().unwrap();
        // No audience and no change: `config` comes first.
        std::fs::write(
            dir.path().join("inv.toml"),
            "[[team]]\nid = \"t\"\nname = \"T <&> U\"\n\
             [[system]]\nid = \"a\"\nname = \"A\"\nowner = \"t\"\ncriticality = \"low\"\n",
        )
        .unwrap();
        let checked =
            crate::check::check(dir.path(), jiff::civil::Date::constant(2026, 11, 24)).unwrap();
        let text = document(&checked);
        assert!(text.contains("\"inventory\":{\"config\":{"), "{text}");
        assert!(text.contains("T \\u003c\\u0026\\u003e U"), "{text}");
        assert!(!text.contains('<') && text.ends_with("}\n"));
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["inventory"], Value::Object(inventory(&checked.model)));
        assert_eq!(value["version"], 1);
        let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "as_of",
                "changes",
                "diagnostics",
                "inventory",
                "summary",
                "version"
            ]
        );
    }

    #[test]
    fn inventory_keeps_the_written_shape_with_defaults_filled_in() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("inv.toml"),
            "[[team]]\nid = \"t\"\nname = \"T\"\n\
             [[system]]\nid = \"a\"\nname = \"A\"\nowner = \"t\"\ncriticality = \"low\"\n\
             [[system]]\nid = \"b\"\nname = \"B\"\nowner = \"t\"\ncriticality = \"high\"\nstateful = true\n\
             [[integration]]\nid = \"one\"\nconsumer = \"a\"\nprovider = \"b\"\n\
             runs = { rrule = \"FREQ=DAILY\", start = \"02:00\", duration = \"90m\" }\n\
             [[integration]]\nid = \"list\"\nconsumer = \"b\"\nprovider = \"a\"\ncritical = false\n\
             runs = [{ rrule = \"FREQ=DAILY\", start = \"03:00\", duration = \"1h\" }]\n\
             [[window]]\nid = \"w\"\nname = \"W\"\nrrule = \"FREQ=WEEKLY;BYDAY=SU\"\nstart = \"01:00\"\nduration = \"5h\"\nsystems = [\"*\"]\n",
        )
        .unwrap();
        let loaded = crate::inventory::load(dir.path()).unwrap();
        assert!(loaded.findings.is_empty(), "{:?}", loaded.findings);
        let inventory = inventory(&loaded.model);
        let integrations = &inventory["integration"];
        // One table stays one table, an array stays an array.
        assert_eq!(
            integrations[0]["runs"],
            json!({"rrule": "FREQ=DAILY", "start": "02:00", "duration": "1h30m"})
        );
        assert_eq!(integrations[1]["runs"][0]["start"], "03:00");
        assert_eq!(integrations[0]["critical"], true);
        assert_eq!(integrations[1]["critical"], false);
        assert_eq!(inventory["system"][1]["stateful"], true);
        assert_eq!(inventory["system"][0]["stateful"], false);
        assert_eq!(inventory["window"][0]["systems"], json!(["*"]));
        assert_eq!(inventory["config"]["site"]["timezone"], "UTC");
        assert!(!inventory.contains_key("change"));
    }
}
