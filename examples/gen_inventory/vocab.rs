//! Names the generator draws from: teams, domains, kinds, hubs, processes,
//! audiences, verbs and reasons.

#[allow(unused_imports)]
use crate::*;

// --- Vocabulary ----------------------------------------------------------------

pub(crate) const TEAMS: [&str; 40] = [
    "platform",
    "network",
    "identity",
    "dba",
    "storage",
    "observability",
    "security",
    "erp",
    "finance-it",
    "hr-it",
    "crm",
    "ecommerce",
    "payments",
    "search",
    "catalog",
    "pricing",
    "checkout",
    "mobile",
    "web",
    "warehouse-it",
    "logistics",
    "edi",
    "data",
    "bi",
    "ml",
    "messaging",
    "integration",
    "billing",
    "support-tools",
    "collaboration",
    "workplace",
    "print",
    "telephony",
    "devex",
    "ci",
    "release",
    "qa",
    "api",
    "partner",
    "marketing-tech",
];

pub(crate) const DOMAINS: [&str; 30] = [
    "Order",
    "Billing",
    "Catalog",
    "Pricing",
    "Checkout",
    "Inventory",
    "Shipping",
    "Customer",
    "Invoice",
    "Payment",
    "Search",
    "Recommendation",
    "Reporting",
    "Ledger",
    "Payroll",
    "Identity",
    "Notification",
    "Document",
    "Contract",
    "Supplier",
    "Returns",
    "Loyalty",
    "Warehouse",
    "Fleet",
    "Forecast",
    "Tax",
    "Audit",
    "Consent",
    "Media",
    "Content",
];

pub(crate) const KINDS: [&str; 6] = ["service", "database", "storage", "network", "host", "saas"];
pub(crate) const KIND_WEIGHTS: [usize; 6] = [60, 10, 5, 5, 10, 10];

pub(crate) fn components(kind: &str) -> &'static [&'static str] {
    match kind {
        "service" => &["API", "Service", "Worker", "Backend", "Portal", "Scheduler"],
        "database" => &["DB", "Database", "Replica"],
        "storage" => &["Store", "Archive", "Bucket"],
        "network" => &["Load balancer", "Proxy", "Firewall"],
        "host" => &["Host", "VM cluster", "Node pool"],
        _ => &["SaaS", "Cloud"],
    }
}

pub(crate) fn third_party_items(kind: &str) -> &'static [&'static str] {
    match kind {
        "service" => &[
            "openjdk 21",
            "Spring Boot 3.2",
            "nginx 1.25",
            "Node.js 20.11",
            "Python 3.12",
            "gunicorn 21.2",
        ],
        "database" => &[
            "PostgreSQL 15.8",
            "pgbouncer 1.21",
            "pgBackRest 2.51",
            "MySQL 8.0",
            "redis 7.2",
        ],
        "storage" => &["MinIO 2024.05", "Ceph 18.2", "restic 0.16"],
        "network" => &["HAProxy 2.8", "Envoy 1.30", "keepalived 2.2"],
        "host" => &["Ubuntu 22.04", "RHEL 9.4", "containerd 1.7"],
        _ => &["Salesforce API 60", "Stripe API 2024-06", "Okta API v1"],
    }
}

/// Hub providers: (name, kind, integration kind, weight, owner team).
pub(crate) const HUBS: [(&str, &str, &str, usize, &str); 8] = [
    ("Auth (SSO, Keycloak)", "service", "sso", 30, "identity"),
    ("API gateway", "network", "api", 22, "platform"),
    (
        "Primary database cluster",
        "database",
        "database",
        18,
        "dba",
    ),
    (
        "Message queue (RabbitMQ)",
        "service",
        "queue",
        16,
        "messaging",
    ),
    ("Central logging", "service", "api", 5, "observability"),
    ("Object storage", "storage", "file", 4, "storage"),
    ("Internal DNS", "network", "network", 3, "network"),
    ("Secrets vault", "service", "api", 2, "security"),
];

pub(crate) const PROCESSES: [&str; 25] = [
    "order-to-cash",
    "procure-to-pay",
    "record-to-report",
    "hire-to-retire",
    "month-end-close",
    "payroll",
    "warehouse-fulfilment",
    "returns-handling",
    "customer-onboarding",
    "b2b-edi-ordering",
    "invoicing",
    "dunning",
    "catalog-publishing",
    "pricing-updates",
    "customer-support",
    "field-service",
    "marketing-campaigns",
    "demand-planning",
    "supplier-onboarding",
    "tax-reporting",
    "fleet-dispatch",
    "loyalty-program",
    "content-publishing",
    "identity-lifecycle",
    "management-reporting",
];

pub(crate) const AUDIENCES: [&str; 15] = [
    "sales",
    "finance",
    "warehouse-staff",
    "customer-service",
    "management",
    "hr",
    "marketing",
    "procurement",
    "logistics",
    "it-staff",
    "field-technicians",
    "partners",
    "developers",
    "analysts",
    "shop-customers",
];

pub(crate) const REGIONS: [&str; 2] = ["eu", "us"];
pub(crate) const CRITICALITY: [&str; 4] = ["low", "medium", "high", "critical"];

pub(crate) const VERBS: [&str; 10] = [
    "Upgrade",
    "Patch",
    "Migrate",
    "Reconfigure",
    "Scale out",
    "Renew certificates of",
    "Rotate secrets of",
    "Move to the new cluster:",
    "Remove legacy module from",
    "Enable TLS 1.3 on",
];

pub(crate) const WHYS: [&str; 8] = [
    "Security fixes from the vendor advisory of this quarter.",
    "The current version leaves vendor support at the end of the quarter.",
    "Capacity: p95 latency grows with traffic and the current setup is at 80 percent.",
    "Needed by the new pricing feature planned for the next release.",
    "Audit finding: outdated TLS configuration must be fixed within 90 days.",
    "Reduce operating cost by consolidating onto the shared platform.",
    "Known memory leak fixed upstream; we restart the service weekly today.",
    "Compliance: data must stay in the EU region.",
];

pub(crate) const PHASE_NAMES: [[&str; 3]; 4] = [
    ["Prepare", "Switch over", "Clean up"],
    ["Pilot", "Rollout", "Verify"],
    ["Canary", "Main rollout", "Decommission old version"],
    ["Dry run", "Migration", "Hypercare handover"],
];

pub(crate) const PEOPLE: [&str; 10] = [
    "Katrin Vogel",
    "Jonas Berger",
    "Maria Lopez",
    "Ahmed Yilmaz",
    "Sofia Rossi",
    "Tom Becker",
    "Lena Hoffmann",
    "David Kim",
    "Anna Nowak",
    "Peter Schulz",
];

pub(crate) const TAG_EXTRA: [&str; 3] = ["batch", "edge", "data"];
pub(crate) const ALL_TAGS: [&str; 7] = ["tier1", "tier2", "eu", "us", "batch", "edge", "data"];
