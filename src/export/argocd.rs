//! Export stage: Argo CD sync windows, the `spec.syncWindows` of an
//! AppProject. A window becomes an `allow` window, a hard freeze a `deny`
//! window, a soft freeze a `deny` window with `manualSync: true` (a person
//! may still sync, as a soft freeze allows with consent). `schedule` is the
//! cron expression of the starts, `duration` the exact length (Argo CD adds
//! it as elapsed time), `timeZone` the period's zone, `applications` those
//! of `[export.argocd.applications]` for the systems the period governs.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::cron::Cron;
use super::{Cx, Exported};
use crate::base::{Finding, Rule};
use crate::model::{Model, PeriodKind, Zone};
use crate::schedule::sweep::Interval;

/// A Go duration (`time.ParseDuration`): `5h`, `1h30m`, `45m`.
fn go_duration(seconds: i64) -> String {
    let minutes = seconds / 60;
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

/// The sync window of period `ix`, or why Argo CD cannot have it.
pub(super) fn entry(
    cx: &Cx,
    ix: usize,
    zone: &Zone,
    cron: &Cron,
    starting: &[Interval],
) -> Result<Value, String> {
    let period = &cx.model.periods[ix];
    let lengths: BTreeSet<i64> = starting.iter().map(|o| o.end - o.start).collect();
    let (Some(&short), Some(&long)) = (lengths.first(), lengths.last()) else {
        return Err("it has no occurrence to measure".into());
    };
    if short != long {
        let duration = match &period.when {
            crate::model::When::Recurring(r) => r.duration.value.to_string(),
            crate::model::When::Once { .. } => String::new(),
        };
        return Err(format!(
            "it lasts {duration}, which is {} on some days and {} on others (the clocks change in {}), and an Argo CD duration is exact",
            go_duration(short),
            go_duration(long),
            zone.name
        ));
    }
    let (kind, manual) = match period.kind {
        PeriodKind::Window => ("allow", false),
        _ => ("deny", !period.hard),
    };
    let mut window = json!({
        "kind": kind,
        "schedule": cron.to_string(),
        "duration": go_duration(short),
        "timeZone": zone.name,
        "applications": cx.applications(&cx.governed[ix]),
        "description": format!(
            "cutover {} {}: {}",
            match period.kind {
                PeriodKind::Window => "window",
                _ if period.hard => "hard freeze",
                _ => "soft freeze",
            },
            period.id.value,
            period.name
        ),
    });
    if manual {
        window["manualSync"] = json!(true);
    }
    Ok(window)
}

/// Findings for mapped systems whose every window stayed behind: Argo CD
/// restricts an application only while it has an allow window, so it would
/// let those applications sync at any time, where `check` allows no time
/// outside a window.
pub(super) fn lost_windows(cx: &Cx, out: &mut Exported) {
    let model = cx.model;
    let exported: BTreeSet<usize> = out.entries.iter().map(|e| e.period).collect();
    for mapping in &model.config.export.argocd.applications {
        let system = mapping.system.ix;
        if system >= model.systems.len() || mapping.names.is_empty() || !cx.governed_any(system) {
            continue;
        }
        let windows: Vec<usize> = (0..model.periods.len())
            .filter(|&p| {
                model.periods[p].kind == PeriodKind::Window && cx.scopes[p].contains(system)
            })
            .collect();
        if windows.iter().any(|w| exported.contains(w)) {
            continue;
        }
        let id = &model.systems[system].id.value;
        let apps: Vec<String> = mapping
            .names
            .iter()
            .map(|n| format!("`{}`", n.value))
            .collect();
        let why = if windows.is_empty() {
            format!("no window applies to `{id}`, so `check` allows no phase to change it")
        } else {
            let ids: Vec<String> = windows
                .iter()
                .map(|&w| format!("`{}`", model.periods[w].id.value))
                .collect();
            format!(
                "none of the windows of `{id}` ({}) reached Argo CD",
                ids.join(", ")
            )
        };
        out.findings.push(
            Finding::new(
                Rule::UnexportablePeriod,
                mapping.system.id.loc.clone(),
                format!(
                    "{why}; without an allow window Argo CD lets {} sync at any time outside deny windows",
                    apps.join(", ")
                ),
            )
            .subject(id.clone())
            .subject("argocd")
            .help("give the system a window cron can express (docs/export.md), or add an allow window for these applications in Argo CD by hand"),
        );
    }
}

/// The AppProject as YAML: every string is written as a JSON string,
/// which YAML reads as a double-quoted scalar.
pub(super) fn document(model: &Model, exported: &Exported) -> String {
    let q = |text: &str| serde_json::to_string(text).unwrap_or_default();
    let argocd = &model.config.export.argocd;
    let mut out = format!(
        "# Sync windows of the AppProject `{}`, written by `cutover export argocd`\n\
         # from the inventory as of {} (checked against every occurrence up to {}).\n\
         # Apply: kubectl patch appproject {} -n {} --type merge --patch-file FILE\n\
         # (the list replaces the project's syncWindows as a whole).\n",
        argocd.project,
        exported.as_of,
        exported.horizon.1.date(),
        argocd.project,
        argocd.namespace
    );
    out.push_str("apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n");
    out.push_str(&format!(
        "  name: {}\n  namespace: {}\n",
        q(&argocd.project),
        q(&argocd.namespace)
    ));
    if exported.entries.is_empty() {
        out.push_str("spec:\n  syncWindows: []\n");
        return out;
    }
    out.push_str("spec:\n  syncWindows:\n");
    for entry in &exported.entries {
        let w = &entry.native;
        let text = |key: &str| q(w[key].as_str().unwrap_or(""));
        out.push_str(&format!("    - kind: {}\n", text("kind")));
        out.push_str(&format!("      schedule: {}\n", text("schedule")));
        out.push_str(&format!("      duration: {}\n", text("duration")));
        out.push_str(&format!("      timeZone: {}\n", text("timeZone")));
        out.push_str("      applications:\n");
        for app in w["applications"].as_array().into_iter().flatten() {
            out.push_str(&format!("        - {}\n", q(app.as_str().unwrap_or(""))));
        }
        if w["manualSync"] == json!(true) {
            out.push_str("      manualSync: true\n");
        }
        out.push_str(&format!("      description: {}\n", text("description")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations_are_hours_and_minutes() {
        assert_eq!(go_duration(5 * 3600), "5h");
        assert_eq!(go_duration(90 * 60), "1h30m");
        assert_eq!(go_duration(45 * 60), "45m");
        assert_eq!(go_duration(72 * 3600), "72h");
    }
}
