//! Load stage: reading each entity kind of inventory.md from its table.
//!
//! Each reader asks its [`Table`] for every field, so every problem of the
//! entity is reported, then returns the entity only when all required
//! fields could be read.

use crate::base::source::At;
use crate::base::{Finding, Rule};
use crate::inventory::reader::{Cx, Table};
use crate::model::rrule::{RRule, Until};
use crate::model::*;

/// Reads `id` first so that later messages can name the entity.
fn named(cx: &mut Cx, t: &mut Table, kind: &str) -> Option<At<String>> {
    let id = t.id(cx, "id", true);
    if let Some(id) = &id {
        t.what = format!("{kind} `{}`", id.value);
        let slug = slug(&id.value);
        if reserved_slug(kind, &slug) {
            cx.report(
                Finding::new(
                    Rule::Schema,
                    id.loc.clone(),
                    format!(
                        "`{}` cannot be the id of a {kind}: the site writes a page of its own where its page would go",
                        id.value
                    ),
                )
                .help(format!("pick another id; no {kind} can be called `{slug}` (in any case)")),
            );
        }
    }
    id
}

/// Reads a `[[system]]` table: its id (when valid, also if the system is
/// dropped for errors) and the system, when every required field could be
/// read.
pub fn system(cx: &mut Cx, mut t: Table) -> (Option<At<String>>, Option<System>) {
    let id = named(cx, &mut t, "system");
    let name = t.text(cx, "name", true);
    let owner = t.reference(cx, "owner", true);
    let criticality = t.choice::<Criticality>(cx, "criticality", true);
    let kind = t.text(cx, "kind", false);
    let stateful = t.boolean(cx, "stateful").is_some_and(|b| b.value);
    let version = t.text(cx, "version", false);
    let legacy = t.boolean(cx, "legacy").filter(|b| b.value).map(|b| b.loc);
    let tags = t.texts(cx, "tags");
    let third_party = t.strings(cx, "third_party", false);
    let risks = t.markdowns(cx, "risks");
    let what = t.what.clone();
    let health = t
        .table(cx, "health", format!("`health` of {what}"))
        .map(|mut h| {
            let status = h.choice::<HealthStatus>(cx, "status", true);
            let checked = h.date(cx, "checked", false);
            let notes = h.text(cx, "notes", false);
            let loc = h.loc.clone();
            h.finish(cx);
            status.map(|status| Health {
                status,
                checked,
                notes,
                loc,
            })
        });
    let health_ok = !matches!(health, Some(None));
    let health = health.flatten();
    let description = t.markdown(cx, "description", false);
    let loc = t.loc.clone();
    t.finish(cx);
    let system = (|| {
        health_ok.then_some(())?;
        Some(System {
            id: id.clone()?,
            name: name?,
            owner: owner?,
            criticality: criticality?,
            kind,
            stateful,
            version,
            legacy,
            tags,
            third_party,
            risks,
            health,
            description,
            loc,
        })
    })();
    (id, system)
}

/// Reads an `[[integration]]` table: its id, and the integration when every
/// required field could be read.
pub fn integration(cx: &mut Cx, mut t: Table) -> (Option<At<String>>, Option<Integration>) {
    let id = named(cx, &mut t, "integration");
    let consumer = t.reference(cx, "consumer", true);
    let provider = t.reference(cx, "provider", true);
    let kind = t.text(cx, "kind", false);
    let critical = t.boolean(cx, "critical").is_none_or(|b| b.value);
    let third_party = t.boolean(cx, "third_party").is_some_and(|b| b.value);
    let what = format!("`runs` of {}", t.what);
    let runs_table = t.is_table("runs");
    let mut runs = Vec::new();
    let mut runs_ok = true;
    for mut run in t.tables(cx, "runs", &what, true) {
        let zone = run.zone(cx, "timezone");
        match recurrence(cx, &mut run, zone, true) {
            Some(r) => runs.push(r),
            None => runs_ok = false,
        }
        run.finish(cx);
    }
    let description = t.markdown(cx, "description", false);
    let loc = t.loc.clone();
    t.finish(cx);
    let integration = (|| {
        runs_ok.then_some(())?;
        Some(Integration {
            id: id.clone()?,
            consumer: consumer?,
            provider: provider?,
            kind,
            critical,
            third_party,
            runs,
            runs_table,
            description,
            loc,
        })
    })();
    (id, integration)
}

fn invalid_schedule(cx: &mut Cx, loc: crate::base::source::Loc, message: String, help: &str) {
    cx.report(Finding::new(Rule::InvalidSchedule, loc, message).help(help.to_string()));
}

/// The recurring form: `rrule`, `start`, `duration`, optional `from` and
/// `until` dates. With `required`, missing parts are reported.
fn recurrence(
    cx: &mut Cx,
    t: &mut Table,
    timezone: Option<At<Zone>>,
    required: bool,
) -> Option<Recurrence> {
    let rrule_text = t.string(cx, "rrule", false);
    let start = t.time_of_day(cx, "start", false);
    let duration = t.duration(cx, "duration", false);
    let from = t.date(cx, "from", false);
    let until = t.date(cx, "until", false);
    let rrule = rrule_text.and_then(|text| {
        match text.value.parse::<RRule>() {
            Ok(rule) => Some(At::new(rule, text.loc)),
            Err(e) => {
                // Point inside the string: one byte past the opening quote.
                let base = text.loc.span.start + 1;
                let span = if text.loc.span.len() == text.value.len() + 2 {
                    base + e.range.start..base + e.range.end.max(e.range.start)
                } else {
                    text.loc.span.clone()
                };
                cx.report(
                    Finding::new(Rule::InvalidSchedule, cx.loc(span), format!("invalid RRULE in {}: {}", t.what, e.message))
                        .help("cutover supports FREQ=DAILY/WEEKLY/MONTHLY/YEARLY with INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS and WKST"),
                );
                None
            }
        }
    });
    let missing: Vec<&str> = [
        ("rrule", t.has("rrule")),
        ("start", t.has("start")),
        ("duration", t.has("duration")),
    ]
    .iter()
    .filter(|(_, present)| !present)
    .map(|(key, _)| *key)
    .collect();
    if !missing.is_empty() {
        if required || missing.len() < 3 {
            invalid_schedule(
                cx,
                t.loc.clone(),
                format!(
                    "{} is recurring but has no `{}`",
                    t.what,
                    missing.join("`, `")
                ),
                "a recurring schedule needs all three: rrule = \"FREQ=WEEKLY;BYDAY=SU\", start = \"02:00\", duration = \"4h\"",
            );
        }
        return None;
    }
    let (rrule, start, duration) = (rrule?, start?, duration?);
    if duration.value.is_zero() {
        invalid_schedule(
            cx,
            duration.loc.clone(),
            format!("{} lasts no time at all", t.what),
            "give it a positive `duration`, such as \"4h\"",
        );
        return None;
    }
    if let (Some(from), Some(until)) = (&from, &until)
        && until.value < from.value
    {
        invalid_schedule(
            cx,
            until.loc.clone(),
            format!(
                "{} ends ({}) before it starts ({})",
                t.what, until.value, from.value
            ),
            "`until` must be on or after `from`",
        );
        return None;
    }
    if let (Some(from), Some(until)) = (&from, &rrule.value.until) {
        let last = match until {
            Until::Date(date) => *date,
            Until::Local(datetime) => datetime.date(),
            Until::Utc(instant) => instant.to_zoned_datetime(jiff::tz::TimeZone::UTC).date(),
        };
        if last < from.value {
            invalid_schedule(
                cx,
                rrule.loc.clone(),
                format!(
                    "the RRULE of {} ends (UNTIL {last}) before it starts (`from` {})",
                    t.what, from.value
                ),
                "UNTIL must be on or after `from`",
            );
            return None;
        }
    }
    if from.is_none()
        && let Some(reason) = rrule.value.needs_dtstart()
    {
        invalid_schedule(
            cx,
            rrule.loc.clone(),
            format!("the RRULE of {} has no start date: {reason}", t.what),
            "add `from = 2026-01-04` (a date, no quotes): INTERVAL, COUNT and the days a rule does not name count from it",
        );
        return None;
    }
    Some(Recurrence {
        rrule,
        start,
        duration,
        from,
        until,
        timezone,
        loc: t.loc.clone(),
    })
}

/// Reads a `[[process]]` table: its id, and the process when every required
/// field could be read.
pub fn process(cx: &mut Cx, mut t: Table) -> (Option<At<String>>, Option<Process>) {
    let id = named(cx, &mut t, "process");
    let name = t.text(cx, "name", true);
    let criticality = t.choice::<Criticality>(cx, "criticality", true);
    let owner = t.reference(cx, "owner", false);
    let systems = t.references(cx, "systems", true);
    let systems_present = t.has("systems");
    let fallback = t.markdown(cx, "fallback", false);
    let loc = t.loc.clone();
    t.finish(cx);
    let process = (|| {
        systems_present.then_some(())?;
        Some(Process {
            id: id.clone()?,
            name: name?,
            criticality: criticality?,
            owner,
            systems,
            fallback,
            loc,
        })
    })();
    (id, process)
}

/// Reads a `[[team]]` table: its id, and the team when every required field
/// could be read.
pub fn team(cx: &mut Cx, mut t: Table) -> (Option<At<String>>, Option<Team>) {
    let id = named(cx, &mut t, "team");
    let name = t.text(cx, "name", true);
    let email = t.text(cx, "email", false);
    let chat = t.text(cx, "chat", false);
    let oncall = t.text(cx, "oncall", false);
    let loc = t.loc.clone();
    t.finish(cx);
    let team = (|| {
        Some(Team {
            id: id.clone()?,
            name: name?,
            email,
            chat,
            oncall,
            loc,
        })
    })();
    (id, team)
}

/// Reads an `[[audience]]` table: its id, and the audience when every
/// required field could be read.
pub fn audience(cx: &mut Cx, mut t: Table) -> (Option<At<String>>, Option<Audience>) {
    let id = named(cx, &mut t, "audience");
    let name = t.text(cx, "name", true);
    let criticality = t.choice::<Criticality>(cx, "criticality", true);
    let contact = t.text(cx, "contact", false);
    let processes = t.references(cx, "processes", false);
    let systems = t.references(cx, "systems", false);
    let timezone = t.zone(cx, "timezone");
    let loc = t.loc.clone();
    t.finish(cx);
    let audience = (|| {
        Some(Audience {
            id: id.clone()?,
            name: name?,
            criticality: criticality?,
            contact,
            processes,
            systems,
            timezone,
            loc,
        })
    })();
    (id, audience)
}

/// A scope list: `["*"]` means every system.
fn scope_refs<K: Entity>(
    cx: &mut Cx,
    t: &mut Table,
    key: &'static str,
    everything: &mut bool,
) -> Vec<Ref<K>> {
    let items = t.strings(cx, key, false);
    let mut refs = Vec::new();
    for item in items {
        if item.value == "*" {
            *everything = true;
        } else if is_id(&item.value) {
            cx.refs.push((K::KIND, item.clone()));
            refs.push(Ref::new(item));
        } else {
            cx.report(
                Finding::new(
                    Rule::Schema,
                    item.loc.clone(),
                    format!("`{}` is not a valid id", item.value),
                )
                .help("list ids, or \"*\" for every system"),
            );
        }
    }
    refs
}

/// Reads a `[[window]]`, `[[freeze]]` or `[[peak]]` table (by `kind`): its
/// id, and the period when every required field could be read.
pub fn period(cx: &mut Cx, mut t: Table, kind: PeriodKind) -> (Option<At<String>>, Option<Period>) {
    let kind_name = match kind {
        PeriodKind::Window => "window",
        PeriodKind::Freeze => "freeze",
        PeriodKind::Peak => "peak",
    };
    let id = named(cx, &mut t, kind_name);
    let name = t.text(cx, "name", true);
    let timezone = t.zone(cx, "timezone");
    let recurring = t.has("rrule") || t.has("start") || t.has("duration");
    let when = if recurring {
        recurrence(cx, &mut t, None, true).map(|r| When::Recurring(Box::new(r)))
    } else {
        let from = t.datetime(cx, "from", false);
        let until = t.datetime(cx, "until", false);
        match (t.has("from"), t.has("until")) {
            (false, false) => {
                invalid_schedule(
                    cx,
                    t.loc.clone(),
                    format!("{} has neither a one-off nor a recurring form", t.what),
                    "give it `from` and `until` date-times, or `rrule`, `start` and `duration`",
                );
                None
            }
            (true, false) | (false, true) => {
                let (present, absent) = if t.has("from") {
                    ("from", "until")
                } else {
                    ("until", "from")
                };
                invalid_schedule(
                    cx,
                    t.loc.clone(),
                    format!("{} has `{present}` without `{absent}`", t.what),
                    "a one-off period needs both `from` and `until` date-times",
                );
                None
            }
            (true, true) => match (from, until) {
                (Some(from), Some(until)) => Some(When::Once { from, until }),
                _ => None,
            },
        }
    };
    let mut scope = Scope::default();
    scope.systems = scope_refs(cx, &mut t, "systems", &mut scope.everything);
    scope.tags = {
        let mut everything = false;
        let tags: Vec<String> = t.texts(cx, "tags");
        for tag in &tags {
            everything |= tag == "*";
        }
        scope.everything |= everything;
        tags.into_iter().filter(|tag| tag != "*").collect()
    };
    scope.processes = scope_refs(cx, &mut t, "processes", &mut scope.everything);
    if scope.systems.is_empty() && scope.tags.is_empty() && scope.processes.is_empty() {
        scope.everything = true;
    }
    let hard = if kind == PeriodKind::Freeze {
        t.boolean(cx, "hard").is_none_or(|b| b.value)
    } else {
        false
    };
    let reason = t.text(cx, "reason", false);
    let loc = t.loc.clone();
    t.finish(cx);
    let period = (|| {
        Some(Period {
            kind,
            id: id.clone()?,
            name: name?,
            timezone,
            when: when?,
            scope,
            hard,
            reason,
            loc,
        })
    })();
    (id, period)
}

/// Reads a `[[change]]` table with its phases: its id, and the change when
/// every required field could be read.
pub fn change(cx: &mut Cx, mut t: Table) -> (Option<At<String>>, Option<Change>) {
    let id = named(cx, &mut t, "change");
    let what = t.what.clone();
    let title = t.text(cx, "title", true);
    let owner = t.reference(cx, "owner", true);
    let status = t.choice::<Status>(cx, "status", true);
    let systems = t.references(cx, "systems", true);
    let systems_present = t.has("systems");
    if let Some(loc) = t.empty_array("systems") {
        cx.report(
            Finding::new(Rule::Schema, loc, format!("{what} changes no system")).help(
                "list the systems the change modifies: systems = [\"erp\"]; every rule needs them",
            ),
        );
    }
    let timezone = t.zone(cx, "timezone");
    let summary = t.markdown(cx, "summary", true);
    let why = t.markdown(cx, "why", true);
    let impact = t.markdown(cx, "impact", false);
    let downtime = t.duration(cx, "downtime", false);
    let announced = t.date(cx, "announced", false);

    let mut approvals = Vec::new();
    for mut a in t.tables(cx, "approvals", &format!("an approval of {what}"), false) {
        let by = a.text(cx, "by", true);
        let date = a.date(cx, "date", true);
        let loc = a.loc.clone();
        a.finish(cx);
        if let (Some(by), Some(date)) = (by, date) {
            approvals.push(Approval { by, date, loc });
        }
    }

    let phase_tables = t.tables(cx, "phase", &format!("a phase of {what}"), false);
    let phase_count = phase_tables.len();
    if phase_count == 0 {
        cx.report(
            Finding::new(Rule::Schema, t.loc.clone(), format!("{what} has no phase"))
                .help("add at least one [[change.phase]] with `name`, `start` and `duration`"),
        );
    }
    let mut phases = Vec::new();
    for mut p in phase_tables {
        let name = p.text(cx, "name", true);
        if let Some(name) = &name {
            p.what = format!("phase \"{name}\" of {what}");
        }
        let start = p.datetime(cx, "start", true);
        let duration = p.duration(cx, "duration", true);
        if let Some(d) = &duration
            && d.value.is_zero()
        {
            invalid_schedule(
                cx,
                d.loc.clone(),
                format!("{} lasts no time at all", p.what),
                "give the phase a positive `duration`, such as \"2h\"",
            );
        }
        let systems = p.references(cx, "systems", false);
        let audiences = p.references(cx, "audiences", false);
        let steps = p.markdowns(cx, "steps");
        let checks = p.markdowns(cx, "checks");
        let loc = p.loc.clone();
        p.finish(cx);
        if let (Some(name), Some(start), Some(duration)) = (name, start, duration) {
            phases.push(Phase {
                name,
                start,
                duration,
                systems,
                audiences,
                steps,
                checks,
                loc,
            });
        }
    }

    let backup = t.table(cx, "backup", format!("`backup` of {what}")).and_then(|mut b| {
        let loc = b.loc.clone();
        let backup = if b.has("none") {
            let reason = b.string(cx, "none", true);
            for key in ["method", "scope", "location", "restore_time", "restore_tested"] {
                if let Some(loc) = b.key_loc(key) {
                    cx.report(
                        Finding::new(Rule::Schema, loc, format!("`backup` of {what} has both `none` and `{key}`"))
                            .help("either describe the backup, or say why there is none with `none = \"reason\"`"),
                    );
                }
            }
            reason.map(|reason| Backup::None { reason, loc })
        } else {
            Some(Backup::Plan {
                method: b.text(cx, "method", false),
                scope: b.text(cx, "scope", false),
                location: b.text(cx, "location", false),
                restore_time: b.duration(cx, "restore_time", false),
                restore_tested: b.date(cx, "restore_tested", false),
                loc,
            })
        };
        b.finish(cx);
        backup
    });

    let rollback = t
        .table(cx, "rollback", format!("`rollback` of {what}"))
        .map(|mut r| {
            let rollback = Rollback {
                steps: r.markdowns(cx, "steps"),
                time: r.duration(cx, "time", false),
                triggers: r.markdowns(cx, "triggers"),
                owner: r.reference(cx, "owner", false),
                switch_back: r.markdown(cx, "switch_back", false),
                point_of_no_return: r.markdown(cx, "point_of_no_return", false),
                loc: r.loc.clone(),
            };
            r.finish(cx);
            rollback
        });

    let testing = t
        .table(cx, "testing", format!("`testing` of {what}"))
        .map(|mut r| {
            let testing = Testing {
                environment: r.text(cx, "environment", false),
                pre: r.markdowns(cx, "pre"),
                during: r.markdowns(cx, "during"),
                post: r.markdowns(cx, "post"),
                evidence: r.text(cx, "evidence", false),
                failures: r.texts(cx, "failures"),
                loc: r.loc.clone(),
            };
            r.finish(cx);
            testing
        });

    let mut compat = Vec::new();
    for mut c in t.tables(cx, "compat", &format!("a compat entry of {what}"), false) {
        let target = c.string(cx, "target", true);
        let verified = c.boolean(cx, "verified").is_some_and(|b| b.value);
        let notes = c.text(cx, "notes", false);
        let loc = c.loc.clone();
        c.finish(cx);
        if let Some(target) = target {
            compat.push(Compat {
                target,
                resolved: CompatTarget::Unresolved,
                verified,
                notes,
                loc,
            });
        }
    }

    let monitoring = t
        .table(cx, "monitoring", format!("`monitoring` of {what}"))
        .map(|mut m| {
            let duration = m.duration(cx, "duration", false);
            let owner = m.reference(cx, "owner", false);
            let mut metrics = Vec::new();
            for mut x in m.tables(cx, "metrics", &format!("a metric of {what}"), false) {
                let name = x.text(cx, "name", true);
                let kind = x.choice::<MetricKind>(cx, "kind", true);
                let threshold = x.text(cx, "threshold", false);
                let source = x.text(cx, "source", false);
                let loc = x.loc.clone();
                x.finish(cx);
                if let (Some(name), Some(kind)) = (name, kind) {
                    metrics.push(Metric {
                        name,
                        kind,
                        threshold,
                        source,
                        loc,
                    });
                }
            }
            let loc = m.loc.clone();
            m.finish(cx);
            Monitoring {
                duration,
                owner,
                metrics,
                loc,
            }
        });

    let communication = t
        .table(cx, "communication", format!("`communication` of {what}"))
        .map(|mut c| {
            let communication = Communication {
                audiences: c.references(cx, "audiences", false),
                channels: c.texts(cx, "channels"),
                contact: c.text(cx, "contact", false),
                guidelines: c.markdown(cx, "guidelines", false),
                loc: c.loc.clone(),
            };
            c.finish(cx);
            communication
        });

    let outcome = t
        .table(cx, "outcome", format!("`outcome` of {what}"))
        .and_then(|mut o| {
            let result = o.choice::<OutcomeResult>(cx, "result", true);
            let completed = o.datetime(cx, "completed", false);
            let notes = o.markdown(cx, "notes", false);
            let issues = o.markdowns(cx, "issues");
            let loc = o.loc.clone();
            o.finish(cx);
            result.map(|result| Outcome {
                result,
                completed,
                notes,
                issues,
                loc,
            })
        });

    let loc = t.loc.clone();
    t.finish(cx);
    let change = (|| {
        systems_present.then_some(())?;
        (phases.len() == phase_count && phase_count > 0).then_some(())?;
        Some(Change {
            id: id.clone()?,
            title: title?,
            owner: owner?,
            status: status?,
            systems,
            timezone,
            summary: summary?,
            why: why?,
            impact,
            downtime,
            announced,
            approvals,
            phases,
            backup,
            rollback,
            testing,
            compat,
            monitoring,
            communication,
            outcome,
            loc,
        })
    })();
    (id, change)
}

/// Reads an `[[incident]]` table: its id, and the incident when every
/// required field could be read.
pub fn incident(cx: &mut Cx, mut t: Table) -> (Option<At<String>>, Option<Incident>) {
    let id = named(cx, &mut t, "incident");
    let date = t.date(cx, "date", true);
    let systems = t.references(cx, "systems", true);
    let systems_present = t.has("systems");
    let change = t.reference(cx, "change", false);
    let summary = t.text(cx, "summary", true);
    let lesson = t.markdown(cx, "lesson", false);
    let loc = t.loc.clone();
    t.finish(cx);
    let incident = (|| {
        systems_present.then_some(())?;
        Some(Incident {
            id: id.clone()?,
            date: date?,
            systems,
            change,
            summary: summary?,
            lesson,
            loc,
        })
    })();
    (id, incident)
}
