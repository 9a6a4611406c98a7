//! Model stage: `cutover.toml`, with every default filled in.

use std::collections::BTreeMap;

use super::{Duration, MetricKind, Ref, System, Zone};
use crate::base::source::At;
use crate::base::{Override, Rule};

/// `cutover.toml`, with every default filled in.
#[derive(Debug, Clone)]
pub struct Config {
    /// `[site]`.
    pub site: Site,
    /// `[policy]`.
    pub policy: Policy,
    /// `[rules]`: level overrides by rule; a rule not named keeps its default level.
    pub rules: BTreeMap<Rule, Override>,
    /// `[risk]` and `[risk.weights]`.
    pub risk: RiskConfig,
    /// Addition: `[export]`, how `cutover export` maps the inventory onto
    /// the tools that enforce windows.
    pub export: Export,
}

/// `[site]` of `cutover.toml`.
#[derive(Debug, Clone)]
pub struct Site {
    /// Default: "Changes".
    pub title: String,
    /// Default: none (feeds and ICS then use relative links).
    pub base_url: Option<String>,
    /// `site.id`, the globally unique name of this site in calendar UIDs
    /// (an addition to the contract). Default: the host and path of
    /// `base_url`, else the title's slug.
    pub id: Option<String>,
    /// Default: UTC.
    pub timezone: Zone,
    /// Default: "en".
    pub language: String,
    /// Addition: where each rule's documentation is published, `{rule}`
    /// standing for its name (SARIF `helpUri`). Default: cutover's
    /// repository.
    pub rules_url: Option<String>,
}

/// `[export]` of `cutover.toml`.
#[derive(Debug, Clone, Default)]
pub struct Export {
    /// `[export.argocd]`, for `cutover export argocd`.
    pub argocd: ArgoCd,
}

/// `[export.argocd]`: the AppProject that `cutover export argocd` writes,
/// and which Argo CD applications deploy each system.
#[derive(Debug, Clone)]
pub struct ArgoCd {
    /// Default: "default".
    pub project: String,
    /// Default: "argocd".
    pub namespace: String,
    /// `[export.argocd.applications]`: system id = [application names].
    pub applications: Vec<Applications>,
}

impl Default for ArgoCd {
    fn default() -> ArgoCd {
        ArgoCd {
            project: "default".into(),
            namespace: "argocd".into(),
            applications: Vec::new(),
        }
    }
}

/// The Argo CD applications that deploy one system.
#[derive(Debug, Clone)]
pub struct Applications {
    /// The system, by the id written as the key.
    pub system: Ref<System>,
    /// Names of the Argo CD applications that deploy it, in written order.
    pub names: Vec<At<String>>,
}

/// `[policy]` of `cutover.toml`: the limits the rules measure against.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Minimum lead time from announcement to first phase (`short-notice`); default 5d.
    pub notice: Duration,
    /// A health check older than this before the first phase is stale (`stale-health`, and for
    /// backups `untested-restore`); default 30d.
    pub health_max_age: Duration,
    /// Minimum watch period after the last phase (`short-monitoring`); default 72h.
    pub monitoring: Duration,
    /// Minimum gap between consecutive phases of one change (`short-soak`); default 1h.
    pub min_soak: Duration,
    /// Metric kinds every change must monitor (`missing-metric`); default all but `other`.
    pub required_metrics: Vec<MetricKind>,
}

/// `[risk]` of `cutover.toml`: score thresholds (0 to 100) and per-rule points.
#[derive(Debug, Clone)]
pub struct RiskConfig {
    /// A score at or above this is `medium`; default 25.
    pub medium: u32,
    /// A score at or above this is `high`; default 50.
    pub high: u32,
    /// A score at or above this is `critical`; default 75.
    pub critical: u32,
    /// Points per rule; rules not named here use [`Rule::default_weight`].
    pub weights: BTreeMap<Rule, u32>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            site: Site {
                title: "Changes".into(),
                base_url: None,
                id: None,
                timezone: Zone::utc(),
                language: "en".into(),
                rules_url: None,
            },
            policy: Policy {
                notice: Duration {
                    days: 5,
                    minutes: 0,
                },
                health_max_age: Duration {
                    days: 30,
                    minutes: 0,
                },
                monitoring: Duration {
                    days: 0,
                    minutes: 72 * 60,
                },
                min_soak: Duration {
                    days: 0,
                    minutes: 60,
                },
                required_metrics: vec![
                    MetricKind::ResponseTime,
                    MetricKind::Cpu,
                    MetricKind::Memory,
                    MetricKind::ErrorRate,
                    MetricKind::Integrations,
                    MetricKind::Tickets,
                ],
            },
            rules: BTreeMap::new(),
            risk: RiskConfig {
                medium: 25,
                high: 50,
                critical: 75,
                weights: BTreeMap::new(),
            },
            export: Export::default(),
        }
    }
}
