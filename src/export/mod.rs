//! Export stage: the windows and freezes of the inventory, written for the
//! tools that enforce them (`cutover export FORMAT`): Argo CD sync windows,
//! GitLab deploy freezes, an AWS SSM Change Calendar.
//!
//! Periods are expanded exactly as `check` expands them
//! (`schedule::occurrences`), over a horizon (the
//! as-of date to `--until`, a year by default). A target gets a period only
//! in a form that means the same occurrences: a cron expression from
//! [`cron::start`] must fire at every occurrence's start over the horizon
//! and nowhere else, its duration or end expression must give every end.
//! Whatever a target cannot express is left out with an
//! `unexportable-period` finding at the period, never approximated.

pub mod cron;

mod argocd;
mod gitlab;
mod ssm;

use fixedbitset::FixedBitSet;
use jiff::civil::{Date, DateTime as Civil};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{Timestamp, ZonedDateTime};
use serde_json::{Value, json};

use crate::analysis::calendar::scopes;
use crate::analysis::impact::Graph;
use crate::base::source::Sources;
use crate::base::{Finding, Rule};
use crate::model::{Model, Period, PeriodKind, Zone, slug};
use crate::schedule::occurrences::{self, Horizon};
use crate::schedule::sweep::Interval;
use cron::Cron;

/// A tool that enforces windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// An AppProject's `spec.syncWindows`.
    ArgoCd,
    /// Bodies for GitLab's Freeze Periods API.
    GitLab,
    /// An AWS Systems Manager Change Calendar (iCalendar) document.
    SsmCalendar,
}

impl Target {
    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Target::ArgoCd => "argocd",
            Target::GitLab => "gitlab",
            Target::SsmCalendar => "ssm-calendar",
        }
    }

    /// The name in messages.
    pub fn title(self) -> &'static str {
        match self {
            Target::ArgoCd => "Argo CD",
            Target::GitLab => "GitLab",
            Target::SsmCalendar => "an SSM Change Calendar",
        }
    }
}

/// What to export.
#[derive(Debug, Clone)]
pub struct Options {
    /// The tool to export for.
    pub target: Target,
    /// The first day of the horizon.
    pub as_of: Date,
    /// The day after the horizon's last.
    pub until: Date,
    /// Ids of the systems the target deploys; empty: every system.
    pub systems: Vec<String>,
    /// Leave soft freezes out (GitLab, SSM).
    pub hard_only: bool,
}

/// One period as the target has it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Index into `model.periods`.
    pub period: usize,
    /// The target's object for it (a sync window, a freeze period body, the
    /// events of a calendar).
    pub native: Value,
    /// Its occurrences that the target's form was checked against: for
    /// cron targets those starting in the horizon, for calendars those
    /// overlapping it.
    pub occurrences: Vec<Interval>,
}

/// A period the target does not get, and why (no finding: nothing is lost).
#[derive(Debug, Clone)]
pub struct LeftOut {
    /// Index into `model.periods`.
    pub period: usize,
    /// Why it is left out, for the report.
    pub reason: String,
}

/// The result of an export, before rendering.
#[derive(Debug, Clone)]
pub struct Exported {
    /// The tool exported for.
    pub target: Target,
    /// The first day of the horizon.
    pub as_of: Date,
    /// The horizon as instants in the site zone: midnight of the as-of date,
    /// midnight of `--until` (end excluded).
    pub horizon: (ZonedDateTime, ZonedDateTime),
    /// Exported periods, by kind then id.
    pub entries: Vec<Entry>,
    /// Periods the target does not get, with the reason.
    pub left_out: Vec<LeftOut>,
    /// `unexportable-period` findings (before `[rules]` overrides).
    pub findings: Vec<Finding>,
}

/// A period's zone: its own, else the site's.
fn zone<'m>(model: &'m Model, period: &'m Period) -> &'m Zone {
    period
        .timezone
        .as_ref()
        .map_or(&model.config.site.timezone, |z| &z.value)
}

fn kind_name(kind: PeriodKind) -> &'static str {
    match kind {
        PeriodKind::Window => "window",
        PeriodKind::Freeze => "freeze",
        PeriodKind::Peak => "peak",
    }
}

/// An instant as RFC 3339 with the offset it has in `tz`.
pub fn rfc3339(seconds: i64, tz: &TimeZone) -> String {
    Timestamp::from_second(seconds)
        .unwrap_or(Timestamp::MIN)
        .to_zoned_datetime(tz.clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Which systems the export is for (indices): those named, else all.
fn selected(model: &Model, ids: &[String]) -> Result<FixedBitSet, String> {
    let mut set = FixedBitSet::with_capacity(model.systems.len());
    if ids.is_empty() {
        set.insert_range(..);
        return Ok(set);
    }
    for id in ids {
        match model
            .systems
            .iter()
            .position(|s| slug(&s.id.value) == slug(id))
        {
            Some(ix) => set.insert(ix),
            None => {
                let close = crate::base::finding::closest(
                    id,
                    model.systems.iter().map(|s| s.id.value.as_str()),
                )
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
                return Err(format!(
                    "--system `{id}` is not a system of the inventory{close}"
                ));
            }
        }
    }
    Ok(set)
}

/// Exports the windows and freezes of `model` for `options.target`.
pub fn export(model: &Model, options: &Options) -> Result<Exported, String> {
    if options.until <= options.as_of {
        return Err(format!(
            "--until {} must come after the as-of date {}",
            options.until, options.as_of
        ));
    }
    let site = &model.config.site.timezone.tz;
    let start = crate::base::time::resolve_local(
        site,
        options.as_of.to_datetime(jiff::civil::Time::midnight()),
    );
    let end = crate::base::time::resolve_local(
        site,
        options.until.to_datetime(jiff::civil::Time::midnight()),
    );
    let horizon = Interval {
        start: start.timestamp().as_second(),
        end: end.timestamp().as_second(),
    };
    let systems = selected(model, &options.systems)?;
    let cx = Cx::new(model, options, horizon, systems)?;
    let mut exported = Exported {
        target: options.target,
        as_of: options.as_of,
        horizon: (start, end),
        entries: Vec::new(),
        left_out: Vec::new(),
        findings: Vec::new(),
    };
    let mut order: Vec<usize> = (0..model.periods.len()).collect();
    order.sort_by(|&a, &b| {
        let (pa, pb) = (&model.periods[a], &model.periods[b]);
        (pa.kind, &pa.id.value).cmp(&(pb.kind, &pb.id.value))
    });
    for ix in order {
        cx.period(ix, &mut exported);
    }
    if options.target == Target::ArgoCd {
        argocd::lost_windows(&cx, &mut exported);
    }
    Ok(exported)
}

/// What every period's export needs.
struct Cx<'m> {
    model: &'m Model,
    options: &'m Options,
    horizon: Interval,
    /// The systems exported for (indices).
    systems: FixedBitSet,
    /// Per period: the systems it applies to.
    scopes: Vec<FixedBitSet>,
    /// Per period: the selected systems a change to which it constrains
    /// (windows: those in scope; freezes: those whose impact reaches into
    /// its scope, as `freeze-conflict` reads it).
    governed: Vec<FixedBitSet>,
}

impl<'m> Cx<'m> {
    fn new(
        model: &'m Model,
        options: &'m Options,
        horizon: Interval,
        systems: FixedBitSet,
    ) -> Result<Cx<'m>, String> {
        if options.target == Target::ArgoCd && model.config.export.argocd.applications.is_empty() {
            return Err("`cutover export argocd` needs to know which Argo CD applications deploy which system: add [export.argocd.applications] to cutover.toml, such as `wms = [\"wms-prod\"]` (see docs/export.md)".into());
        }
        let scopes = scopes(model);
        let graph = Graph::new(model);
        let impacts: Vec<FixedBitSet> = (0..model.systems.len())
            .map(|s| graph.impact(&[s]).to_set(model.systems.len()))
            .collect();
        let governed = model
            .periods
            .iter()
            .zip(&scopes)
            .map(|(period, scope)| {
                let mut set = FixedBitSet::with_capacity(model.systems.len());
                for s in systems.ones() {
                    let hit = match period.kind {
                        PeriodKind::Freeze => !impacts[s].is_disjoint(scope),
                        _ => scope.contains(s),
                    };
                    if hit {
                        set.insert(s);
                    }
                }
                set
            })
            .collect();
        Ok(Cx {
            model,
            options,
            horizon,
            systems,
            scopes,
            governed,
        })
    }

    fn period(&self, ix: usize, out: &mut Exported) {
        let period = &self.model.periods[ix];
        let target = self.options.target;
        let left_out = |out: &mut Exported, reason: String| {
            out.left_out.push(LeftOut { period: ix, reason });
        };
        match (period.kind, target) {
            (PeriodKind::Peak, _) => {
                return left_out(out, "peaks are advice, which no target enforces".into());
            }
            (PeriodKind::Window, Target::GitLab | Target::SsmCalendar) => {
                return left_out(out, format!("{} takes freezes only", target.title()));
            }
            (PeriodKind::Freeze, _) if !period.hard && self.options.hard_only => {
                return left_out(out, "a soft freeze, and --hard-only was given".into());
            }
            _ => {}
        }
        if self.governed[ix].is_clear() {
            return left_out(out, "it constrains none of the systems exported".into());
        }
        if target == Target::ArgoCd && self.applications(&self.governed[ix]).is_empty() {
            return left_out(
                out,
                "no system it constrains has applications in [export.argocd.applications]".into(),
            );
        }
        let tz = &zone(self.model, period).tz;
        let all = occurrences::occurrences(&period.when, tz, &Horizon::new(vec![self.horizon]));
        let overlapping: Vec<Interval> = all
            .into_iter()
            .filter(|o| o.overlaps(self.horizon))
            .collect();
        let native = match target {
            Target::SsmCalendar => {
                if overlapping.is_empty() {
                    return left_out(out, self.no_occurrence());
                }
                let native = ssm::entry(self.model, period, &overlapping);
                out.entries.push(Entry {
                    period: ix,
                    native,
                    occurrences: overlapping,
                });
                return;
            }
            _ => self.cron_entry(ix, &overlapping),
        };
        match native {
            Ok(Some((native, starting))) => out.entries.push(Entry {
                period: ix,
                native,
                occurrences: starting,
            }),
            Ok(None) => left_out(out, self.no_occurrence()),
            Err(reason) => out.findings.push(self.unexportable_period(period, &reason)),
        }
    }

    fn no_occurrence(&self) -> String {
        format!(
            "no occurrence between {} and {}",
            self.options.as_of, self.options.until
        )
    }

    /// The `unexportable-period` finding for `period`, at its `rrule` (or
    /// its `from`, for a one-off period).
    fn unexportable_period(&self, period: &Period, reason: &str) -> Finding {
        let loc = match &period.when {
            crate::model::When::Recurring(r) => r.rrule.loc.clone(),
            crate::model::When::Once { from, .. } => from.loc.clone(),
        };
        let target = self.options.target;
        Finding::new(
            Rule::UnexportablePeriod,
            loc,
            format!(
                "{} `{}` cannot be exported to {}: {reason}; it is left out",
                kind_name(period.kind),
                period.id.value,
                target.title()
            ),
        )
        .subject(period.id.value.clone())
        .subject(target.name())
        .help(format!(
            "keep this {} in {} by hand, or write it in a form {} can express (docs/export.md lists them)",
            kind_name(period.kind),
            target.title(),
            target.title()
        ))
    }

    /// A cron target's object for a period and the occurrences it was
    /// checked against; `Ok(None)` when no occurrence starts in the horizon.
    fn cron_entry(
        &self,
        ix: usize,
        overlapping: &[Interval],
    ) -> Result<Option<(Value, Vec<Interval>)>, String> {
        let period = &self.model.periods[ix];
        let zone = zone(self.model, period);
        let starting: Vec<Interval> = overlapping
            .iter()
            .filter(|o| o.start >= self.horizon.start && o.start < self.horizon.end)
            .copied()
            .collect();
        if starting.is_empty() {
            return Ok(None);
        }
        let recurrence = match &period.when {
            crate::model::When::Once { .. } => {
                return Err(
                    "it is a one-off period, and cron expressions have no year: they would repeat it every year"
                        .into(),
                );
            }
            crate::model::When::Recurring(r) => r,
        };
        let start_cron = cron::start(recurrence, self.options.as_of)?;
        let starts: Vec<i64> = starting.iter().map(|o| o.start).collect();
        verify(&start_cron, &zone.tz, self.horizon, &starts, "start")?;
        let native = match self.options.target {
            Target::ArgoCd => argocd::entry(self, ix, zone, &start_cron, &starting)?,
            _ => gitlab::entry(zone, &start_cron, overlapping, &starting)?,
        };
        Ok(Some((native, starting)))
    }

    /// Whether the export is for `system`.
    fn governed_any(&self, system: usize) -> bool {
        self.systems.contains(system)
    }

    /// The Argo CD applications of the systems in `set`, sorted.
    fn applications(&self, set: &FixedBitSet) -> Vec<String> {
        let mut names: Vec<String> = self
            .model
            .config
            .export
            .argocd
            .applications
            .iter()
            .filter(|m| m.system.ix < self.model.systems.len() && set.contains(m.system.ix))
            .flat_map(|m| m.names.iter().map(|n| n.value.clone()))
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

/// The local date-time `local` in `tz`, if it names one instant (not in a
/// DST gap or fold, where engines do not agree on what a cron does).
fn unambiguous(tz: &TimeZone, local: Civil) -> Option<Timestamp> {
    match tz.to_ambiguous_timestamp(local).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(local).ok(),
        _ => None,
    }
}

/// Checks that `cron` fires in `tz`, within `within`, exactly at
/// `expected` (sorted instants); `what` names them in the reason.
fn verify(
    cron: &Cron,
    tz: &TimeZone,
    within: Interval,
    expected: &[i64],
    what: &str,
) -> Result<(), String> {
    let day = |s: i64| {
        Timestamp::from_second(s)
            .unwrap_or(Timestamp::MIN)
            .to_zoned_datetime(tz.clone())
            .date()
    };
    let mut fired = Vec::new();
    let mut date = day(within.start).yesterday().unwrap_or(day(within.start));
    let stop = day(within.end).tomorrow().unwrap_or(day(within.end));
    while date <= stop {
        if cron.matches(date) {
            let local = date.to_datetime(cron.time());
            let Some(instant) = unambiguous(tz, local) else {
                return Err(format!(
                    "its {what} {local} falls in a change of clocks in {}, where cron engines do not agree",
                    tz.iana_name().unwrap_or("its zone")
                ));
            };
            let s = instant.as_second();
            if s >= within.start && s < within.end {
                fired.push(s);
            }
        }
        match date.tomorrow() {
            Ok(next) => date = next,
            Err(_) => break,
        }
    }
    if fired == expected {
        return Ok(());
    }
    let extra = fired.iter().find(|s| !expected.contains(s));
    let missed = expected.iter().find(|s| !fired.contains(s));
    Err(match (extra, missed) {
        (Some(s), _) => format!(
            "`{cron}` would {what} at {}, where the period has no occurrence",
            rfc3339(*s, tz)
        ),
        (None, Some(s)) => format!(
            "`{cron}` misses the occurrence with the {what} {}",
            rfc3339(*s, tz)
        ),
        (None, None) => format!("`{cron}` fires at different instants than the period"),
    })
}

/// The local date-time of an instant in `tz`.
fn local_of(seconds: i64, tz: &TimeZone) -> Civil {
    Timestamp::from_second(seconds)
        .unwrap_or(Timestamp::MIN)
        .to_zoned_datetime(tz.clone())
        .datetime()
}

/// The machine-readable export (`--format json`): the target's objects
/// with the occurrences each was checked against, what was left out and
/// why, and the findings; `.ci/check_export.py` recomputes the cron
/// occurrences from it.
pub fn json_document(
    model: &Model,
    exported: &Exported,
    findings: &[Finding],
    sources: &Sources,
) -> Value {
    let site = &model.config.site.timezone.tz;
    let entries: Vec<Value> = exported
        .entries
        .iter()
        .map(|entry| {
            let period = &model.periods[entry.period];
            let zone = zone(model, period);
            json!({
                "period": period.id.value,
                "kind": kind_name(period.kind),
                "hard": period.kind == PeriodKind::Freeze && period.hard,
                "timezone": zone.name,
                "export": entry.native,
                "occurrences": entry.occurrences.iter().map(|o| json!({
                    "start": rfc3339(o.start, &zone.tz),
                    "end": rfc3339(o.end, &zone.tz),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let left_out: Vec<Value> = exported
        .left_out
        .iter()
        .map(|l| {
            let period = &model.periods[l.period];
            json!({"period": period.id.value, "kind": kind_name(period.kind), "reason": l.reason})
        })
        .collect();
    let diagnostics: Vec<Value> = findings
        .iter()
        .map(|f| {
            let file = sources.get(f.loc.file);
            let (line, column) = file.line_column(f.loc.span.start);
            json!({
                "rule": f.rule.name(), "level": f.level.name(), "message": f.message,
                "file": file.path, "line": line, "column": column,
                "change": f.change, "subjects": f.subjects, "help": f.help,
            })
        })
        .collect();
    json!({
        "version": 1,
        "target": exported.target.name(),
        "as_of": exported.as_of.to_string(),
        "horizon": {
            "from": rfc3339(exported.horizon.0.timestamp().as_second(), site),
            "to": rfc3339(exported.horizon.1.timestamp().as_second(), site),
        },
        "entries": entries,
        "left_out": left_out,
        "diagnostics": diagnostics,
    })
}

/// The target's own document: an AppProject (YAML), the Freeze Periods
/// API bodies (JSON), or an SSM Change Calendar (iCalendar).
pub fn native_document(model: &Model, exported: &Exported) -> String {
    match exported.target {
        Target::ArgoCd => argocd::document(model, exported),
        Target::GitLab => gitlab::document(exported),
        Target::SsmCalendar => ssm::document(model, exported),
    }
}
