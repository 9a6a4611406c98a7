//! Analysis stage, risk rules of watching after the change: a monitoring
//! period as long as the policy asks, and every required kind of metric.

use crate::analysis::rules::Ctx;
use crate::base::{Finding, Rule};
use crate::model::MetricKind;

/// `short-monitoring`: no `monitoring`, or its duration is below
/// `policy.monitoring`.
pub fn short_monitoring(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |cx, findings| {
        let policy = cx.model.config.policy.monitoring;
        let (loc, message) = match &cx.change.monitoring {
            None => (
                cx.change.loc.clone(),
                format!("`{}` has no monitoring plan", cx.id()),
            ),
            Some(m) => match &m.duration {
                None => (
                    m.loc.clone(),
                    format!("the monitoring of `{}` has no `duration`", cx.id()),
                ),
                Some(d) => {
                    let Some(end) = cx.facts.last_end() else {
                        return;
                    };
                    if d.value.after(end).timestamp() >= policy.after(end).timestamp() {
                        return;
                    }
                    (
                        d.loc.clone(),
                        format!(
                            "`{}` is watched for {} after its last phase; the policy asks for {policy}",
                            cx.id(),
                            d.value
                        ),
                    )
                }
            },
        };
        findings.push(
            cx.finding(Rule::ShortMonitoring, loc, message)
                .help(format!("watch response times, CPU, memory, error rates, integrations and tickets for at least {policy} after the last phase")),
        );
    });
}

/// `missing-metric`: kinds of `policy.required_metrics` not among the
/// monitoring metrics; one finding naming all of them.
pub fn missing_metric(cx: &Ctx, findings: &mut Vec<Finding>) {
    cx.each_active(findings, |cx, findings| {
        let present: Vec<MetricKind> = cx
            .change
            .monitoring
            .iter()
            .flat_map(|m| m.metrics.iter().map(|x| x.kind.value))
            .collect();
        let missing: Vec<MetricKind> = cx
            .model
            .config
            .policy
            .required_metrics
            .iter()
            .copied()
            .filter(|k| !present.contains(k))
            .collect();
        if missing.is_empty() {
            return;
        }
        let names: Vec<String> = missing.iter().map(|k| k.name().to_string()).collect();
        let loc = cx
            .change
            .monitoring
            .as_ref()
            .map_or(cx.change.loc.clone(), |m| m.loc.clone());
        let mut finding = cx
            .finding(Rule::MissingMetric, loc, format!("the monitoring of `{}` watches no {}", cx.id(), names.join(", ")))
            .help("add a [[change.monitoring.metrics]] with a `threshold` and a `source` for each missing kind");
        finding = finding.subjects(names);
        findings.push(finding);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::test_support::{change, messages, run};

    fn watched(keys: &str) -> String {
        change("c", "", &format!("[change.monitoring]\n{keys}\n"))
    }

    #[test]
    fn short_monitoring_fires_without_or_with_a_short_plan() {
        assert_eq!(
            messages(&run(&change("c", "", ""), short_monitoring)),
            ["`c` has no monitoring plan"]
        );
        assert_eq!(
            messages(&run(&watched("duration = \"24h\""), short_monitoring)),
            ["`c` is watched for 24h after its last phase; the policy asks for 72h"]
        );
    }

    #[test]
    fn short_monitoring_near_miss_as_long_as_the_policy() {
        assert!(run(&watched("duration = \"3d\""), short_monitoring).is_empty());
    }

    fn metrics(kinds: &[&str]) -> String {
        let mut keys = String::new();
        for kind in kinds {
            keys.push_str(&format!(
                "[[change.monitoring.metrics]]\nname = \"{kind}\"\nkind = \"{kind}\"\n"
            ));
        }
        watched(&keys)
    }

    #[test]
    fn missing_metric_fires_naming_every_missing_kind() {
        let found = run(
            &metrics(&["cpu", "memory", "error-rate", "tickets"]),
            missing_metric,
        );
        assert_eq!(
            messages(&found),
            ["the monitoring of `c` watches no response-time, integrations"]
        );
        assert_eq!(found[0].subjects, ["response-time", "integrations"]);
    }

    #[test]
    fn missing_metric_near_miss_with_every_kind() {
        let all = MetricKind::ALL
            .iter()
            .filter(|k| **k != MetricKind::Other)
            .map(|k| k.name())
            .collect::<Vec<_>>();
        assert!(run(&metrics(&all), missing_metric).is_empty());
    }
}
