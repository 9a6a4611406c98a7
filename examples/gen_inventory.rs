//! Generate a large, realistic, deterministic inventory for benchmarks.
//!
//! ```sh
//! cargo run --release --example gen_inventory -- \
//!     --changes 2000 --systems 5000 --integrations 20000 --periods 100 \
//!     --seed 1 --out DIR
//! ```
//!
//! The same arguments give byte-identical files on any machine: the only
//! source of randomness is a small self-written PRNG (splitmix64) seeded
//! from `--seed`, and only integer arithmetic is used. `DIR` must not exist
//! or be empty.
//!
//! Layout: `cutover.toml`, `teams.toml`, `processes.toml`, `audiences.toml`,
//! `calendar.toml`, `incidents.toml`, `systems/part-NNN.toml` (500 systems
//! each), `integrations/part-NNN.toml` (2000 each), `changes/part-NNN.toml`
//! (100 each).

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `writeln!` into a `String`, which cannot fail.
macro_rules! w {
    ($dst:expr) => {
        $dst.push('\n')
    };
    ($dst:expr, $($arg:tt)*) => {
        writeln!($dst, $($arg)*).expect("writing to a String cannot fail")
    };
}

const USAGE: &str = "usage: gen_inventory --out DIR [--changes N] [--systems N] [--integrations N] [--periods N] [--seed N]

Writes a large, deterministic inventory for benchmarks into DIR (which must
not exist or be empty). Defaults: --changes 2000 --systems 5000
--integrations 20000 --periods 100 --seed 1.";

const SYSTEMS_PER_FILE: usize = 500;
const INTEGRATIONS_PER_FILE: usize = 2000;
const CHANGES_PER_FILE: usize = 100;
const INCIDENTS: usize = 200;

struct Options {
    changes: usize,
    systems: usize,
    integrations: usize,
    periods: usize,
    seed: u64,
    out: PathBuf,
}

fn parse_args() -> Result<Options, String> {
    let mut changes = 2000;
    let mut systems = 5000;
    let mut integrations = 20000;
    let mut periods = 100;
    let mut seed = 1u64;
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag.to_string(), Some(value.into())),
            _ => (arg.clone(), None),
        };
        let mut value = || -> Result<String, String> {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        let number = |text: String| -> Result<u64, String> {
            text.parse::<u64>()
                .map_err(|_| format!("{flag}: `{text}` is not a non-negative integer"))
        };
        match flag.as_str() {
            "--changes" => changes = number(value()?)? as usize,
            "--systems" => systems = number(value()?)? as usize,
            "--integrations" => integrations = number(value()?)? as usize,
            "--periods" => periods = number(value()?)? as usize,
            "--seed" => seed = number(value()?)?,
            "--out" => out = Some(PathBuf::from(value()?)),
            _ => return Err(format!("unknown argument `{arg}`")),
        }
    }
    let out = out.ok_or("--out DIR is required")?;
    if systems < 2 {
        return Err("--systems must be at least 2".into());
    }
    if systems > 99_999 || changes > 99_999 {
        return Err("--systems and --changes go up to 99999".into());
    }
    Ok(Options {
        changes,
        systems,
        integrations,
        periods,
        seed,
        out,
    })
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match generate(&options) {
        Ok(files) => {
            eprintln!("wrote {files} files to {}", options.out.display());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

// --- PRNG -------------------------------------------------------------------

/// splitmix64: tiny, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut rng = Rng(seed ^ 0x6375_746f_7665_7221);
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `permille / 1000`.
    fn chance(&mut self, permille: usize) -> bool {
        self.below(1000) < permille
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index into `weights`, drawn in proportion to them.
    fn weighted(&mut self, weights: &[usize]) -> usize {
        let mut roll = self.below(weights.iter().sum());
        for (i, &w) in weights.iter().enumerate() {
            if roll < w {
                return i;
            }
            roll -= w;
        }
        weights.len() - 1
    }

    /// Skewed towards 0: the product of two uniform draws, scaled to `0..n`.
    fn skewed(&mut self, n: usize) -> usize {
        let a = u128::from(self.next() >> 32);
        let b = u128::from(self.next() >> 32);
        ((n as u128 * a * b) >> 64) as usize
    }

    /// Between `lo` and `hi` (inclusive) distinct values of `0..n`.
    fn some(&mut self, n: usize, lo: usize, hi: usize) -> Vec<usize> {
        let k = self.range(lo, hi);
        self.distinct(n, k)
    }

    /// `k` distinct values of `0..n`, in draw order.
    fn distinct(&mut self, n: usize, k: usize) -> Vec<usize> {
        let k = k.min(n);
        if k * 2 > n {
            let mut all: Vec<usize> = (0..n).collect();
            for i in 0..k {
                let j = i + self.below(n - i);
                all.swap(i, j);
            }
            all.truncate(k);
            return all;
        }
        let mut out = Vec::with_capacity(k);
        while out.len() < k {
            let x = self.below(n);
            if !out.contains(&x) {
                out.push(x);
            }
        }
        out
    }
}

// --- Calendar arithmetic (proleptic Gregorian, days since 1970-01-01) ----------

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// 0 = Sunday .. 6 = Saturday.
fn weekday(day: i64) -> i64 {
    (day + 4).rem_euclid(7)
}

fn date(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A local date-time from minutes since 1970-01-01T00:00 (local).
fn datetime(minutes: i64) -> String {
    let day = minutes.div_euclid(1440);
    let min = minutes.rem_euclid(1440);
    format!("{}T{:02}:{:02}:00", date(day), min / 60, min % 60)
}

fn duration(minutes: i64) -> String {
    if minutes >= 1440 && minutes % 1440 == 0 {
        return format!("{}d", minutes / 1440);
    }
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

/// A TOML basic string.
fn q(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML array of strings on one line.
fn list<S: AsRef<str>>(items: &[S]) -> String {
    let inner: Vec<String> = items.iter().map(|s| q(s.as_ref())).collect();
    format!("[{}]", inner.join(", "))
}

/// A TOML array of strings, one item a line.
fn block_list<S: AsRef<str>>(items: &[S]) -> String {
    let mut out = String::from("[\n");
    for item in items {
        let _ = writeln!(out, "  {},", q(item.as_ref()));
    }
    out.push(']');
    out
}

fn title_case(stem: &str) -> String {
    let mut out = String::with_capacity(stem.len());
    let mut first = true;
    for c in stem.chars() {
        if c == '-' {
            out.push(' ');
        } else if first {
            out.extend(c.to_uppercase());
            first = false;
        } else {
            out.push(c);
        }
    }
    out
}

// --- Vocabulary ----------------------------------------------------------------

const TEAMS: [&str; 40] = [
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

const DOMAINS: [&str; 30] = [
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

const KINDS: [&str; 6] = ["service", "database", "storage", "network", "host", "saas"];
const KIND_WEIGHTS: [usize; 6] = [60, 10, 5, 5, 10, 10];

fn components(kind: &str) -> &'static [&'static str] {
    match kind {
        "service" => &["API", "Service", "Worker", "Backend", "Portal", "Scheduler"],
        "database" => &["DB", "Database", "Replica"],
        "storage" => &["Store", "Archive", "Bucket"],
        "network" => &["Load balancer", "Proxy", "Firewall"],
        "host" => &["Host", "VM cluster", "Node pool"],
        _ => &["SaaS", "Cloud"],
    }
}

fn third_party_items(kind: &str) -> &'static [&'static str] {
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
const HUBS: [(&str, &str, &str, usize, &str); 8] = [
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

const PROCESSES: [&str; 25] = [
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

const AUDIENCES: [&str; 15] = [
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

const REGIONS: [&str; 2] = ["eu", "us"];
const CRITICALITY: [&str; 4] = ["low", "medium", "high", "critical"];

const VERBS: [&str; 10] = [
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

const WHYS: [&str; 8] = [
    "Security fixes from the vendor advisory of this quarter.",
    "The current version leaves vendor support at the end of the quarter.",
    "Capacity: p95 latency grows with traffic and the current setup is at 80 percent.",
    "Needed by the new pricing feature planned for the next release.",
    "Audit finding: outdated TLS configuration must be fixed within 90 days.",
    "Reduce operating cost by consolidating onto the shared platform.",
    "Known memory leak fixed upstream; we restart the service weekly today.",
    "Compliance: data must stay in the EU region.",
];

const PHASE_NAMES: [[&str; 3]; 4] = [
    ["Prepare", "Switch over", "Clean up"],
    ["Pilot", "Rollout", "Verify"],
    ["Canary", "Main rollout", "Decommission old version"],
    ["Dry run", "Migration", "Hypercare handover"],
];

const PEOPLE: [&str; 10] = [
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

const TAG_EXTRA: [&str; 3] = ["batch", "edge", "data"];
const ALL_TAGS: [&str; 7] = ["tier1", "tier2", "eu", "us", "batch", "edge", "data"];

// --- Entities --------------------------------------------------------------------

struct System {
    id: String,
    name: String,
    owner: usize,
    criticality: usize,
    kind: &'static str,
    stateful: bool,
    tags: Vec<&'static str>,
    third_party: Vec<&'static str>,
}

struct Integration {
    id: String,
    consumer: usize,
    provider: usize,
}

struct World {
    systems: Vec<System>,
    integrations: Vec<Integration>,
    /// Integrations with the system at either end.
    touching: Vec<Vec<u32>>,
    processes: Vec<String>,
    audiences: Vec<String>,
}

fn system_id(i: usize) -> String {
    format!("svc-{:05}", i + 1)
}

fn generate(options: &Options) -> Result<usize, String> {
    let out = &options.out;
    if out.exists() {
        let mut entries =
            std::fs::read_dir(out).map_err(|e| format!("cannot read {}: {e}", out.display()))?;
        if entries.next().is_some() {
            return Err(format!(
                "{} exists and is not empty; give a new or empty folder",
                out.display()
            ));
        }
    }
    let mut rng = Rng::new(options.seed);
    let mut files: Vec<(PathBuf, String)> = Vec::new();

    files.push(("cutover.toml".into(), config()));
    files.push(("teams.toml".into(), teams()));

    let systems = gen_systems(&mut rng, options.systems);
    let integrations = gen_integrations(&mut rng, &systems, options.integrations);
    let mut touching = vec![Vec::new(); systems.len()];
    for (i, integration) in integrations.iter().enumerate() {
        touching[integration.consumer].push(i as u32);
        touching[integration.provider].push(i as u32);
    }
    let processes: Vec<String> = REGIONS
        .iter()
        .flat_map(|r| PROCESSES.iter().map(move |p| format!("{p}-{r}")))
        .collect();
    let audiences: Vec<String> = REGIONS
        .iter()
        .flat_map(|r| AUDIENCES.iter().map(move |a| format!("{a}-{r}")))
        .collect();
    let world = World {
        systems,
        integrations,
        touching,
        processes,
        audiences,
    };

    write_parts(
        &mut files,
        "systems",
        world.systems.len(),
        SYSTEMS_PER_FILE,
        |range| {
            let mut text = format!(
                "# Systems {} to {}.\n",
                system_id(range.start),
                system_id(range.end - 1)
            );
            for i in range {
                write_system(&mut text, &mut rng, &world.systems[i]);
            }
            text
        },
    );
    let runs_every = 1000 / 15; // about 1.5 % of integrations have batch runs
    write_parts(
        &mut files,
        "integrations",
        world.integrations.len(),
        INTEGRATIONS_PER_FILE,
        |range| {
            let mut text = String::from(
                "# Integrations: `consumer` uses `provider`. Critical edges carry impact.\n",
            );
            for i in range {
                write_integration(&mut text, &mut rng, &world, i, i % runs_every == 7);
            }
            text
        },
    );
    files.push(("processes.toml".into(), processes_file(&mut rng, &world)));
    files.push(("audiences.toml".into(), audiences_file(&mut rng, &world)));
    files.push((
        "calendar.toml".into(),
        calendar(&mut rng, &world, options.periods),
    ));
    let changes = gen_changes(&mut rng, &world, options.changes);
    write_parts(
        &mut files,
        "changes",
        changes.len(),
        CHANGES_PER_FILE,
        |range| changes[range].concat(),
    );
    files.push((
        "incidents.toml".into(),
        incidents(&mut rng, &world, options.changes),
    ));

    write_files(out, &files)?;
    Ok(files.len())
}

/// Splits `count` items into files of `per_file` under `folder`.
fn write_parts(
    files: &mut Vec<(PathBuf, String)>,
    folder: &str,
    count: usize,
    per_file: usize,
    mut body: impl FnMut(std::ops::Range<usize>) -> String,
) {
    let parts = count.div_ceil(per_file);
    let width = parts.to_string().len().max(3);
    for part in 0..parts {
        let range = part * per_file..((part + 1) * per_file).min(count);
        let path = Path::new(folder).join(format!("part-{:0width$}.toml", part + 1));
        files.push((path, body(range)));
    }
}

fn write_files(out: &Path, files: &[(PathBuf, String)]) -> Result<(), String> {
    for (path, text) in files {
        let path = out.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

fn config() -> String {
    "# Generated benchmark inventory (examples/gen_inventory.rs).

[site]
title = \"Benchmark Corp - IT changes\"
base_url = \"https://intranet.example.com/changes/\"
timezone = \"Europe/Berlin\"
language = \"en\"

[policy]
notice = \"5d\"
health_max_age = \"30d\"
monitoring = \"72h\"
min_soak = \"1h\"
required_metrics = [\"response-time\", \"cpu\", \"memory\", \"error-rate\", \"integrations\", \"tickets\"]

[rules]
peak-overlap = \"warning\"
legacy-system = \"info\"

[risk]
medium = 25
high = 50
critical = 75

[risk.weights]
no-backup = 30
freeze-conflict = 25
"
    .to_string()
}

fn teams() -> String {
    let mut text = String::from("# Teams that own systems, processes and changes.\n");
    for (i, team) in TEAMS.iter().enumerate() {
        w!(text);
        w!(text, "[[team]]");
        w!(text, "id = {}", q(team));
        w!(text, "name = {}", q(&format!("{} team", title_case(team))));
        w!(text, "email = {}", q(&format!("{team}@example.com")));
        w!(text, "chat = {}", q(&format!("#team-{team}")));
        if i % 4 != 3 {
            w!(
                text,
                "oncall = {}",
                q(&format!(
                    "+49 40 5550 {:04} (PagerDuty: {team}-primary)",
                    1000 + i * 10
                ))
            );
        }
    }
    text
}

fn team_index(name: &str) -> usize {
    TEAMS.iter().position(|t| *t == name).unwrap_or(0)
}

fn gen_systems(rng: &mut Rng, count: usize) -> Vec<System> {
    let hubs = hub_count(count);
    let mut systems = Vec::with_capacity(count);
    for (i, &(name, kind, _, _, owner)) in HUBS[..hubs].iter().enumerate() {
        systems.push(System {
            id: system_id(i),
            name: name.to_string(),
            owner: team_index(owner),
            criticality: 3,
            kind,
            stateful: kind == "database" || kind == "storage",
            tags: vec!["tier1", "eu", "us"],
            third_party: third_party_items(kind)[..2].to_vec(),
        });
    }
    for i in hubs..count {
        let kind = KINDS[rng.weighted(&KIND_WEIGHTS)];
        let domain = rng.below(DOMAINS.len());
        let name = format!(
            "{} {} {}",
            DOMAINS[domain],
            rng.pick(components(kind)),
            i + 1
        );
        let owner = if rng.chance(700) {
            (domain * 7 + 3) % TEAMS.len()
        } else {
            rng.below(TEAMS.len())
        };
        let criticality = rng.weighted(&[40, 35, 18, 7]);
        let stateful = match kind {
            "database" | "storage" => true,
            "service" => rng.chance(120),
            _ => false,
        };
        let mut tags = vec![if criticality >= 2 { "tier1" } else { "tier2" }];
        tags.push(if rng.chance(700) { "eu" } else { "us" });
        if rng.chance(400) {
            tags.push(*rng.pick(&TAG_EXTRA));
        }
        let items = third_party_items(kind);
        let how_many = rng.weighted(&[30, 45, 25]);
        let third_party = rng
            .distinct(items.len(), how_many)
            .into_iter()
            .map(|k| items[k])
            .collect();
        systems.push(System {
            id: system_id(i),
            name,
            owner,
            criticality,
            kind,
            stateful,
            tags,
            third_party,
        });
    }
    systems
}

fn hub_count(systems: usize) -> usize {
    (systems / 20).clamp(1, HUBS.len())
}

fn write_system(text: &mut String, rng: &mut Rng, s: &System) {
    w!(text);
    w!(text, "[[system]]");
    w!(text, "id = {}", q(&s.id));
    w!(text, "name = {}", q(&s.name));
    w!(text, "owner = {}", q(TEAMS[s.owner]));
    w!(text, "criticality = {}", q(CRITICALITY[s.criticality]));
    w!(text, "kind = {}", q(s.kind));
    if s.stateful {
        w!(text, "stateful = true");
    }
    w!(
        text,
        "version = {}",
        q(&format!(
            "{}.{}.{}",
            rng.range(1, 12),
            rng.below(30),
            rng.below(20)
        ))
    );
    if rng.chance(50) {
        w!(text, "legacy = true");
    }
    w!(text, "tags = {}", list(&s.tags));
    if !s.third_party.is_empty() {
        w!(text, "third_party = {}", list(&s.third_party));
    }
    if rng.chance(if s.criticality == 3 { 300 } else { 50 }) {
        w!(
            text,
            "risks = {}",
            list(&[format!(
                "Restarts of {} drop open sessions; consumers must reconnect.",
                s.id
            )])
        );
    }
    if rng.chance(700) {
        let status = ["healthy", "degraded", "down", "unknown"][rng.weighted(&[85, 10, 1, 4])];
        let checked = days_from_civil(2026, 10, 1) + rng.below(54) as i64;
        w!(
            text,
            "health = {{ status = {}, checked = {}, notes = {} }}",
            q(status),
            date(checked),
            q(&format!(
                "p95 {} ms, error rate {}.{} percent.",
                rng.range(40, 900),
                rng.below(3),
                rng.below(10)
            ))
        );
    }
    if rng.chance(200) {
        w!(
            text,
            "description = {}",
            q(&format!(
                "{} of the {} domain, run by the **{}** team.",
                s.name,
                s.name.split(' ').next().unwrap_or("core"),
                TEAMS[s.owner]
            ))
        );
    }
}

fn gen_integrations(rng: &mut Rng, systems: &[System], count: usize) -> Vec<Integration> {
    let n = systems.len();
    let hubs = hub_count(n);
    let hub_weights: Vec<usize> = HUBS[..hubs].iter().map(|h| h.3).collect();
    let mut pairs: HashSet<(u32, u32)> = HashSet::with_capacity(count);
    let mut ids: HashSet<String> = HashSet::with_capacity(count);
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let mut tries = 0;
        let (consumer, provider) = loop {
            // Providers always have a lower index than their consumer: the
            // dependency graph is acyclic, hubs come first.
            let consumer = 1 + rng.below(n - 1);
            let provider = if consumer > hubs && rng.chance(450) {
                rng.weighted(&hub_weights)
            } else {
                rng.skewed(consumer)
            };
            tries += 1;
            if pairs.insert((consumer as u32, provider as u32)) || tries > 30 {
                break (consumer, provider);
            }
        };
        let base = format!("{}-to-{}", systems[consumer].id, systems[provider].id);
        let mut id = base.clone();
        let mut k = 2;
        while !ids.insert(id.clone()) {
            id = format!("{base}-{k}");
            k += 1;
        }
        out.push(Integration {
            id,
            consumer,
            provider,
        });
    }
    out
}

fn write_integration(text: &mut String, rng: &mut Rng, world: &World, i: usize, runs: bool) {
    let integration = &world.integrations[i];
    let provider = &world.systems[integration.provider];
    let hubs = hub_count(world.systems.len());
    let kind = if runs {
        "batch"
    } else if integration.provider < hubs {
        HUBS[integration.provider].2
    } else {
        match provider.kind {
            "database" => "database",
            "storage" => "file",
            "saas" => "api",
            _ => ["api", "api", "api", "queue", "file", "batch"][rng.below(6)],
        }
    };
    w!(text);
    w!(text, "[[integration]]");
    w!(text, "id = {}", q(&integration.id));
    w!(
        text,
        "consumer = {}",
        q(&world.systems[integration.consumer].id)
    );
    w!(text, "provider = {}", q(&provider.id));
    w!(text, "kind = {}", q(kind));
    if !rng.chance(800) {
        w!(text, "critical = false");
    }
    if provider.kind == "saas" {
        w!(text, "third_party = true");
    }
    if runs {
        let (rrule, start, dur, zone) = [
            ("FREQ=DAILY", "01:30", "45m", ""),
            ("FREQ=DAILY", "01:30", "45m", ""),
            ("FREQ=DAILY", "01:30", "45m", ""),
            ("FREQ=DAILY", "03:15", "30m", ""),
            ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "23:00", "1h", ""),
            ("FREQ=DAILY", "22:00", "1h30m", "America/New_York"),
        ][rng.below(6)];
        let zone = if zone.is_empty() {
            String::new()
        } else {
            format!(", timezone = {}", q(zone))
        };
        w!(
            text,
            "runs = {{ rrule = {}, start = {}, duration = {}{zone} }}",
            q(rrule),
            q(start),
            q(dur)
        );
    }
    if rng.chance(100) {
        w!(
            text,
            "description = {}",
            q(&format!(
                "{} calls {} ({kind}).",
                world.systems[integration.consumer].name, provider.name
            ))
        );
    }
}

fn processes_file(rng: &mut Rng, world: &World) -> String {
    let n = world.systems.len();
    let hubs = hub_count(n);
    let mut text =
        String::from("# Business processes and the systems they depend on (generated).\n");
    for id in &world.processes {
        let (stem, region) = id.rsplit_once('-').unwrap_or((id, "eu"));
        w!(text);
        w!(text, "[[process]]");
        w!(text, "id = {}", q(id));
        w!(
            text,
            "name = {}",
            q(&format!("{} ({})", title_case(stem), region.to_uppercase()))
        );
        w!(
            text,
            "criticality = {}",
            q(CRITICALITY[rng.weighted(&[15, 35, 30, 20])])
        );
        w!(text, "owner = {}", q(TEAMS[rng.below(TEAMS.len())]));
        let want = rng.range(3, 7);
        let mut systems = Vec::new();
        if rng.chance(500) {
            systems.push(rng.below(hubs));
        }
        while systems.len() < want.min(n) {
            let s = rng.below(n);
            if !systems.contains(&s) {
                systems.push(s);
            }
        }
        let ids: Vec<&str> = systems
            .iter()
            .map(|&s| world.systems[s].id.as_str())
            .collect();
        w!(text, "systems = {}", list(&ids));
        if rng.chance(750) {
            w!(
                text,
                "fallback = {}",
                q(&format!(
                    "Work from the printed lists and key the records in once {} is back. Maximum tolerated outage: {} hours.",
                    ids[0],
                    rng.range(1, 8)
                ))
            );
        }
    }
    text
}

fn audiences_file(rng: &mut Rng, world: &World) -> String {
    let n = world.systems.len();
    let mut text = String::from("# Stakeholder groups (generated).\n");
    for id in &world.audiences {
        let (stem, region) = id.rsplit_once('-').unwrap_or((id, "eu"));
        w!(text);
        w!(text, "[[audience]]");
        w!(text, "id = {}", q(id));
        w!(
            text,
            "name = {}",
            q(&format!("{} ({})", title_case(stem), region.to_uppercase()))
        );
        w!(
            text,
            "criticality = {}",
            q(CRITICALITY[rng.weighted(&[20, 40, 30, 10])])
        );
        w!(
            text,
            "contact = {}",
            q(&format!("{id}-announce@example.com"))
        );
        let processes: Vec<&str> = rng
            .some(world.processes.len(), 1, 3)
            .into_iter()
            .map(|p| world.processes[p].as_str())
            .collect();
        w!(text, "processes = {}", list(&processes));
        if rng.chance(500) {
            let systems: Vec<&str> = rng
                .some(n, 1, 3)
                .into_iter()
                .map(|s| world.systems[s].id.as_str())
                .collect();
            w!(text, "systems = {}", list(&systems));
        }
    }
    text
}

// --- Calendar --------------------------------------------------------------------

struct Period {
    kind: &'static str,
    id: String,
    name: String,
    timezone: Option<&'static str>,
    /// `rrule`, `start`, `duration` or a one-off `from`/`until`.
    when: When,
    scope: String,
    hard: Option<bool>,
    reason: String,
}

enum When {
    Recurring {
        rrule: &'static str,
        start: &'static str,
        duration: &'static str,
        from: Option<i64>,
        until: Option<i64>,
    },
    Once {
        from: i64,
        until: i64,
    },
}

fn recurring(rrule: &'static str, start: &'static str, duration: &'static str) -> When {
    When::Recurring {
        rrule,
        start,
        duration,
        from: None,
        until: None,
    }
}

fn calendar(rng: &mut Rng, world: &World, count: usize) -> String {
    let all = "systems = [\"*\"]".to_string();
    let d = days_from_civil;
    let mut periods = vec![
        Period {
            kind: "window",
            id: "sunday-early".into(),
            name: "Standard window: Sunday 01:00-06:00".into(),
            timezone: None,
            when: recurring("FREQ=WEEKLY;BYDAY=SU", "01:00", "5h"),
            scope: all.clone(),
            hard: None,
            reason: "Lowest traffic of the week.".into(),
        },
        Period {
            kind: "window",
            id: "tue-thu-evening".into(),
            name: "Evening window: Tue/Thu 20:00-23:00".into(),
            timezone: None,
            when: recurring("FREQ=WEEKLY;BYDAY=TU,TH", "20:00", "3h"),
            scope: "tags = [\"tier2\"]".into(),
            hard: None,
            reason: "Low and medium criticality systems only.".into(),
        },
        Period {
            kind: "freeze",
            id: "month-end".into(),
            name: "Month-end close freeze".into(),
            timezone: None,
            when: recurring("FREQ=MONTHLY;BYMONTHDAY=-3,-2,-1", "00:00", "1d"),
            scope: format!(
                "processes = {}",
                list(&[
                    "month-end-close-eu",
                    "month-end-close-us",
                    "record-to-report-eu"
                ])
            ),
            hard: Some(true),
            reason: "Finance closes the books in the last three days of each month.".into(),
        },
        Period {
            kind: "freeze",
            id: "holiday-freeze".into(),
            name: "Christmas and New Year freeze".into(),
            timezone: None,
            when: When::Once {
                from: d(2026, 12, 21) * 1440,
                until: d(2027, 1, 4) * 1440,
            },
            scope: all.clone(),
            hard: Some(true),
            reason: "Skeleton staffing over the holidays.".into(),
        },
        Period {
            kind: "peak",
            id: "business-hours".into(),
            name: "Office hours".into(),
            timezone: None,
            when: recurring("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "08:00", "10h"),
            scope: all.clone(),
            hard: None,
            reason: "Every internal user is working.".into(),
        },
        Period {
            kind: "window",
            id: "first-saturday".into(),
            name: "Extended window: first Saturday of the month, 20:00-06:00".into(),
            timezone: None,
            when: recurring("FREQ=MONTHLY;BYDAY=1SA", "20:00", "10h"),
            scope: "tags = [\"tier1\"]".into(),
            hard: None,
            reason: "Long window for larger releases of tier-1 systems.".into(),
        },
        Period {
            kind: "peak",
            id: "us-business-hours".into(),
            name: "US office hours".into(),
            timezone: Some("America/New_York"),
            when: recurring("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "09:00", "8h"),
            scope: "tags = [\"us\"]".into(),
            hard: None,
            reason: "Newark and Chicago offices are working.".into(),
        },
        Period {
            kind: "window",
            id: "us-saturday-evening".into(),
            name: "US window: Saturday 19:00-24:00 New York time".into(),
            timezone: Some("America/New_York"),
            when: recurring("FREQ=WEEKLY;BYDAY=SA", "19:00", "5h"),
            scope: "tags = [\"us\"]".into(),
            hard: None,
            reason: "Quietest time for the US sites.".into(),
        },
        Period {
            kind: "freeze",
            id: "black-friday".into(),
            name: "Black Friday to Cyber Monday".into(),
            timezone: None,
            when: When::Once {
                from: d(2026, 11, 27) * 1440,
                until: d(2026, 12, 1) * 1440,
            },
            scope: "tags = [\"edge\"]".into(),
            hard: Some(false),
            reason: "Three times the normal webshop traffic.".into(),
        },
        Period {
            kind: "peak",
            id: "replenishment".into(),
            name: "Fortnightly replenishment wave".into(),
            timezone: None,
            when: When::Recurring {
                rrule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
                start: "05:00",
                duration: "6h",
                from: Some(d(2026, 11, 2)),
                until: Some(d(2027, 6, 28)),
            },
            scope: "tags = [\"batch\"]".into(),
            hard: None,
            reason: "Every other Monday the largest partners send their orders.".into(),
        },
    ];
    periods.truncate(count);
    for i in periods.len()..count {
        periods.push(gen_period(rng, world, i));
    }

    let mut text = String::from(
        "# Change calendar: windows (allowed), freezes (forbidden), peaks (avoid).\n# All times are Europe/Berlin unless a period says otherwise.\n",
    );
    for p in &periods {
        w!(text);
        w!(text, "[[{}]]", p.kind);
        w!(text, "id = {}", q(&p.id));
        w!(text, "name = {}", q(&p.name));
        if let Some(zone) = p.timezone {
            w!(text, "timezone = {}", q(zone));
        }
        match &p.when {
            When::Recurring {
                rrule,
                start,
                duration,
                from,
                until,
            } => {
                w!(text, "rrule = {}", q(rrule));
                w!(text, "start = {}", q(start));
                w!(text, "duration = {}", q(duration));
                if let Some(from) = from {
                    w!(text, "from = {}", date(*from));
                }
                if let Some(until) = until {
                    w!(text, "until = {}", date(*until));
                }
            }
            When::Once { from, until } => {
                w!(text, "from = {}", datetime(*from));
                w!(text, "until = {}", datetime(*until));
            }
        }
        w!(text, "{}", p.scope);
        if let Some(hard) = p.hard {
            w!(text, "hard = {hard}");
        }
        w!(text, "reason = {}", q(&p.reason));
    }
    text
}

fn gen_period(rng: &mut Rng, world: &World, i: usize) -> Period {
    let d = days_from_civil;
    let kind = ["window", "freeze", "peak"][rng.weighted(&[60, 20, 20])];
    let mut timezone = None;
    let mut hard = None;
    let (when, what) = match kind {
        "window" => {
            let t = rng.weighted(&[25, 20, 12, 10, 8, 6, 6, 5, 5, 3]);
            let when = match t {
                0 => recurring("FREQ=WEEKLY;BYDAY=SU", "01:00", "5h"),
                1 => recurring("FREQ=WEEKLY;BYDAY=TU,TH", "20:00", "3h"),
                2 => recurring("FREQ=MONTHLY;BYDAY=1SA", "20:00", "10h"),
                3 => recurring("FREQ=WEEKLY;BYDAY=SA", "22:00", "6h"),
                4 => recurring("FREQ=WEEKLY;BYDAY=WE", "21:00", "2h"),
                5 => recurring("FREQ=MONTHLY;BYDAY=3SU", "00:00", "8h"),
                6 => When::Recurring {
                    rrule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA",
                    start: "23:00",
                    duration: "4h",
                    from: Some(d(2026, 11, 7)),
                    until: None,
                },
                7 => {
                    let from = d(2027, 1, 4) + 7 * rng.below(22) as i64;
                    When::Recurring {
                        rrule: "FREQ=DAILY;COUNT=10",
                        start: "02:00",
                        duration: "2h",
                        from: Some(from),
                        until: None,
                    }
                }
                8 => recurring(
                    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1",
                    "19:00",
                    "4h",
                ),
                _ => {
                    let from = (d(2026, 12, 5) + rng.below(200) as i64) * 1440 + 22 * 60;
                    When::Once {
                        from,
                        until: from + 8 * 60,
                    }
                }
            };
            timezone = [
                None,
                Some("America/New_York"),
                Some("Asia/Singapore"),
                Some("UTC"),
            ][rng.weighted(&[85, 10, 3, 2])];
            let what = [
                "Sunday early window",
                "Evening window",
                "First Saturday window",
                "Saturday night window",
                "Wednesday evening window",
                "Third Sunday window",
                "Fortnightly Saturday window",
                "Migration window (10 nights)",
                "First workday evening window",
                "Extra release window",
            ][t];
            (when, what)
        }
        "freeze" => {
            let t = rng.weighted(&[30, 15, 15, 40]);
            hard = Some(t != 2 && rng.chance(700));
            let when = match t {
                0 => recurring("FREQ=MONTHLY;BYMONTHDAY=-3,-2,-1", "00:00", "1d"),
                1 => recurring(
                    "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-5,-4,-3,-2,-1",
                    "00:00",
                    "1d",
                ),
                2 => recurring("FREQ=MONTHLY;BYMONTHDAY=23", "00:00", "3d"),
                _ => {
                    let from = (d(2026, 12, 1) + rng.below(210) as i64) * 1440;
                    When::Once {
                        from,
                        until: from + rng.range(1, 10) as i64 * 1440,
                    }
                }
            };
            let what = [
                "Month-end freeze",
                "Quarter-end freeze",
                "Payroll cut-off",
                "Release freeze",
            ][t];
            (when, what)
        }
        _ => {
            let t = rng.weighted(&[35, 15, 15, 10, 10, 15]);
            let when = match t {
                0 => recurring("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "08:00", "10h"),
                1 => recurring("FREQ=MONTHLY;BYDAY=-1FR", "12:00", "8h"),
                2 => recurring("FREQ=DAILY", "18:00", "4h"),
                3 => recurring(
                    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
                    "06:00",
                    "14h",
                ),
                4 => When::Recurring {
                    rrule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
                    start: "05:00",
                    duration: "6h",
                    from: Some(d(2026, 11, 2)),
                    until: Some(d(2027, 6, 28)),
                },
                _ => {
                    let from = (d(2026, 12, 1) + rng.below(210) as i64) * 1440;
                    When::Once {
                        from,
                        until: from + 3 * 1440,
                    }
                }
            };
            if t == 0 && rng.chance(300) {
                timezone = Some("America/New_York");
            }
            let what = [
                "Weekday peak",
                "Last-Friday reporting peak",
                "Evening shop peak",
                "Last-workday peak",
                "Replenishment peak",
                "Campaign",
            ][t];
            (when, what)
        }
    };
    let when = match when {
        When::Recurring {
            rrule,
            start,
            duration,
            from,
            until: None,
        } if rng.chance(100) => When::Recurring {
            rrule,
            start,
            duration,
            from,
            until: Some(d(2027, 6, 30)),
        },
        other => other,
    };
    let (scope, scope_name) = match rng.weighted(&[20, 35, 30, 15]) {
        0 => ("systems = [\"*\"]".to_string(), "all systems".to_string()),
        1 => {
            let tags: Vec<&str> = rng
                .some(ALL_TAGS.len(), 1, 2)
                .into_iter()
                .map(|t| ALL_TAGS[t])
                .collect();
            (format!("tags = {}", list(&tags)), tags.join(", "))
        }
        2 => {
            let k = rng.range(5, 40);
            let systems: Vec<&str> = rng
                .distinct(world.systems.len(), k)
                .into_iter()
                .map(|s| world.systems[s].id.as_str())
                .collect();
            let label = format!("{} systems", systems.len());
            (format!("systems = {}", list(&systems)), label)
        }
        _ => {
            let processes: Vec<&str> = rng
                .some(world.processes.len(), 1, 3)
                .into_iter()
                .map(|p| world.processes[p].as_str())
                .collect();
            let label = processes.join(", ");
            (format!("processes = {}", list(&processes)), label)
        }
    };
    let prefix = match kind {
        "window" => "win",
        "freeze" => "frz",
        _ => "peak",
    };
    Period {
        kind,
        id: format!("{prefix}-{:04}", i + 1),
        name: format!("{what} ({scope_name})"),
        timezone,
        when,
        scope,
        hard,
        reason: format!("{what}, agreed with the owners of {scope_name}."),
    }
}

// --- Changes ---------------------------------------------------------------------

/// Slot kinds a phase is planned into.
#[derive(Clone, Copy)]
enum Slot {
    SundayEarly,
    TueThuEvening,
    FirstSaturday,
    Anywhere,
}

/// A phase `(start, duration)` in local minutes, starting at or after
/// `earliest`.
fn plan_phase(rng: &mut Rng, earliest: i64) -> (i64, i64) {
    let slot = [
        Slot::SundayEarly,
        Slot::TueThuEvening,
        Slot::FirstSaturday,
        Slot::Anywhere,
    ][rng.weighted(&[45, 20, 10, 25])];
    let (dur, start_min) = match slot {
        Slot::SundayEarly => {
            let dur = 30 * rng.range(1, 8) as i64;
            (
                dur,
                60 + 30 * rng.below(((300 - dur) / 30 + 1) as usize) as i64,
            )
        }
        Slot::TueThuEvening => {
            let dur = 30 * rng.range(1, 5) as i64;
            (
                dur,
                1200 + 30 * rng.below(((180 - dur) / 30 + 1) as usize) as i64,
            )
        }
        Slot::FirstSaturday => {
            let dur = 30 * rng.range(1, 8) as i64;
            (dur, 1200 + 30 * rng.below(8) as i64)
        }
        Slot::Anywhere => (
            30 * rng.range(1, 8) as i64,
            60 * rng.below(24) as i64 + 30 * rng.below(2) as i64,
        ),
    };
    let mut day = earliest.div_euclid(1440);
    loop {
        let (_, _, dom) = civil_from_days(day);
        let fits = match slot {
            Slot::SundayEarly => weekday(day) == 0,
            Slot::TueThuEvening => matches!(weekday(day), 2 | 4),
            Slot::FirstSaturday => weekday(day) == 6 && dom <= 7,
            Slot::Anywhere => true,
        };
        if fits && day * 1440 + start_min >= earliest {
            break;
        }
        day += 1;
    }
    let mut start = day * 1440 + start_min;
    // Stay clear of the spring-forward gaps (Berlin 28 March, New York
    // 14 March 2027, 02:00-03:00): those are a different benchmark.
    if (day == days_from_civil(2027, 3, 28) || day == days_from_civil(2027, 3, 14))
        && (120..180).contains(&start_min)
    {
        start += 60;
    }
    (start, dur)
}

const STATUSES: [&str; 8] = [
    "draft",
    "proposed",
    "approved",
    "scheduled",
    "in-progress",
    "completed",
    "rolled-back",
    "cancelled",
];
const STATUS_WEIGHTS: [usize; 8] = [20, 20, 18, 25, 2, 9, 2, 4];

fn change_id(i: usize) -> String {
    format!("CHG-{:05}", i + 1)
}

/// The text of every change, in id order.
fn gen_changes(rng: &mut Rng, world: &World, count: usize) -> Vec<String> {
    (0..count).map(|i| change(rng, world, i)).collect()
}

fn change(rng: &mut Rng, world: &World, i: usize) -> String {
    let n = world.systems.len();
    let hubs = hub_count(n);
    let status = STATUSES[rng.weighted(&STATUS_WEIGHTS)];
    let k = rng.weighted(&[35, 30, 18, 10, 7]) + 1;
    let mut systems: Vec<usize> = Vec::with_capacity(k);
    if rng.chance(20) {
        systems.push(rng.below(hubs));
    }
    // Mostly ordinary systems; `hub_count` leaves at least one.
    let k = k.min(systems.len() + (n - hubs));
    while systems.len() < k {
        let s = hubs + rng.below(n - hubs);
        if !systems.contains(&s) {
            systems.push(s);
        }
    }
    let first = &world.systems[systems[0]];
    let owner = TEAMS[first.owner];
    let verb = rng.pick(&VERBS);
    let new_version = format!("{}.{}.{}", rng.range(1, 12), rng.below(30), rng.below(20));
    let ids: Vec<&str> = systems
        .iter()
        .map(|&s| world.systems[s].id.as_str())
        .collect();
    let zone = if rng.chance(40) {
        Some("America/New_York")
    } else {
        None
    };

    let mut t = String::new();
    w!(t);
    w!(t, "[[change]]");
    w!(t, "id = {}", q(&change_id(i)));
    let title = if *verb == "Upgrade" || *verb == "Patch" {
        format!("{verb} {} to {new_version}", first.name)
    } else if systems.len() > 1 {
        format!("{verb} {} and {} more", first.name, systems.len() - 1)
    } else {
        format!("{verb} {}", first.name)
    };
    w!(t, "title = {}", q(&title));
    w!(t, "owner = {}", q(owner));
    w!(t, "status = {}", q(status));
    w!(t, "systems = {}", list(&ids));
    if let Some(zone) = zone {
        w!(t, "timezone = {}", q(zone));
    }

    // Phases first, so dates elsewhere can follow them.
    // Every phase starts in 2026-12-01 .. 2027-06-30: a plan that runs past
    // the end is planned again, two weeks earlier.
    let season_start = days_from_civil(2026, 12, 1);
    let season_end = days_from_civil(2027, 7, 1) * 1440;
    let mut first_day = season_start + rng.below(200) as i64;
    let mut phases = Vec::with_capacity(3);
    loop {
        phases.clear();
        let mut earliest = first_day * 1440;
        for _ in 0..3 {
            let (start, dur) = plan_phase(rng, earliest);
            phases.push((start, dur));
            earliest = start + dur + 60 + rng.below(7 * 1440 - 60) as i64;
        }
        if phases[2].0 < season_end || first_day <= season_start {
            break;
        }
        first_day = (first_day - 14).max(season_start);
    }
    let first_start_day = phases[0].0.div_euclid(1440);
    let (last_start, last_dur) = phases[2];
    let last_end = last_start + last_dur;

    if rng.chance(700) {
        let announced =
            (first_start_day - rng.range(2, 21) as i64).max(days_from_civil(2026, 11, 2));
        w!(t, "announced = {}", date(announced));
    }
    if rng.chance(500) {
        w!(
            t,
            "downtime = {}",
            q(["15m", "30m", "1h", "2h"][rng.below(4)])
        );
    }
    if matches!(
        status,
        "approved" | "scheduled" | "in-progress" | "completed" | "rolled-back"
    ) {
        let cab = days_from_civil(2026, 10, 5) + rng.below(50) as i64;
        let head = PEOPLE[rng.below(PEOPLE.len())];
        w!(t, "approvals = [");
        w!(
            t,
            "  {{ by = {}, date = {} }},",
            q(&format!("{head} (head of {owner})")),
            date(cab - rng.range(1, 4) as i64)
        );
        if rng.chance(600) {
            let (y, _, _) = civil_from_days(cab);
            w!(
                t,
                "  {{ by = {}, date = {} }},",
                q(&format!(
                    "CAB {y}-{:02}",
                    (cab - days_from_civil(y, 1, 1)) / 7 + 1
                )),
                date(cab)
            );
        }
        w!(t, "]");
    }
    w!(
        t,
        "summary = {}",
        q(&format!(
            "{verb} {} in three phases. Target version: **{new_version}**.",
            ids.join(", ")
        ))
    );
    w!(t, "why = {}", q(WHYS[rng.below(WHYS.len())]));
    if rng.chance(700) {
        w!(
            t,
            "impact = {}",
            q(&format!(
                "Users of {} may see a short interruption; open sessions need a reload.",
                first.name
            ))
        );
    }

    let names = rng.pick(&PHASE_NAMES);
    let chat = format!("#team-{owner}");
    for (p, &(start, dur)) in phases.iter().enumerate() {
        w!(t);
        w!(t, "[[change.phase]]");
        w!(t, "name = {}", q(names[p]));
        w!(t, "start = {}", datetime(start));
        w!(t, "duration = {}", q(&duration(dur)));
        if p == 0 && systems.len() > 1 && rng.chance(300) {
            w!(t, "systems = {}", list(&ids[..1]));
        }
        if rng.chance(800) {
            let auds: Vec<&str> = rng
                .some(world.audiences.len(), 1, 2)
                .into_iter()
                .map(|a| world.audiences[a].as_str())
                .collect();
            w!(t, "audiences = {}", list(&auds));
        }
        let target = ids[p.min(ids.len() - 1)];
        let steps = [
            format!("Post start notice in {chat}."),
            format!("Take a snapshot of {target}."),
            format!("Deploy version {new_version} to {target}."),
            format!("Drain traffic from {target} and wait for open jobs to finish."),
            "Run the smoke test suite.".to_string(),
            format!("Post end notice in {chat}."),
        ];
        let pick = rng.some(steps.len(), 2, 4);
        let mut chosen: Vec<&str> = {
            let mut ix = pick;
            ix.sort_unstable();
            ix.into_iter().map(|s| steps[s].as_str()).collect()
        };
        if chosen.is_empty() {
            chosen.push(&steps[0]);
        }
        w!(t, "steps = {}", block_list(&chosen));
        let checks = [
            "Health endpoint green for 15 minutes.",
            "Error rate below 1 percent.",
            "No backlog in the message queue.",
            "p95 response time within 10 percent of the baseline.",
            "Two key users confirm the main workflow.",
        ];
        let ck: Vec<&str> = rng
            .some(checks.len(), 1, 3)
            .into_iter()
            .map(|c| checks[c])
            .collect();
        w!(t, "checks = {}", block_list(&ck));
    }

    let stateful = systems.iter().any(|&s| world.systems[s].stateful);
    if rng.chance(if stateful { 900 } else { 700 }) {
        w!(t);
        w!(t, "[change.backup]");
        if !stateful && rng.chance(300) {
            w!(
                t,
                "none = {}",
                q("Stateless: redeploying the previous image restores the service.")
            );
        } else {
            w!(
                t,
                "method = {}",
                q([
                    "pg_dump (custom format)",
                    "volume snapshot",
                    "restic backup",
                    "vendor export"
                ][rng.below(4)])
            );
            w!(
                t,
                "scope = {}",
                q(&format!("all data of {}", ids.join(", ")))
            );
            w!(
                t,
                "location = {}",
                q(&format!(
                    "s3://backups-{}/{}/",
                    owner,
                    change_id(i).to_lowercase()
                ))
            );
            w!(
                t,
                "restore_time = {}",
                q(&duration(15 * rng.range(1, 12) as i64))
            );
            if rng.chance(800) {
                let tested = days_from_civil(2026, 10, 1) + rng.below(54) as i64;
                w!(t, "restore_tested = {}", date(tested));
            }
        }
    }
    if rng.chance(900) {
        w!(t);
        w!(t, "[change.rollback]");
        w!(t, "owner = {}", q(owner));
        w!(t, "time = {}", q(&duration(15 * rng.range(2, 8) as i64)));
        if rng.chance(850) {
            w!(
                t,
                "triggers = {}",
                block_list(&[
                    "Health checks fail for more than 10 minutes.",
                    "Error rate above 2 percent for 15 minutes.",
                ])
            );
        }
        w!(
            t,
            "steps = {}",
            block_list(&[
                format!("Redeploy the previous version of {}.", ids[0]),
                "Restore the backup if data was changed.".to_string(),
                format!("Post rollback notice in {chat}."),
            ])
        );
        if rng.chance(500) {
            w!(
                t,
                "switch_back = {}",
                q("Nothing to do for users: the old address points to the old version again.")
            );
        }
        if rng.chance(300) {
            w!(
                t,
                "point_of_no_return = {}",
                q("24 hours after the last phase; from then on we fix forward.")
            );
        }
    }
    if rng.chance(800) {
        w!(t);
        w!(t, "[change.testing]");
        w!(
            t,
            "environment = {}",
            q(&format!("staging ({new_version})"))
        );
        w!(
            t,
            "pre = {}",
            block_list(&["Upgrade rehearsal on staging.", "Regression suite green."])
        );
        if rng.chance(500) {
            w!(t, "during = {}", list(&["Smoke tests after each step."]));
        }
        w!(t, "post = {}", list(&["Smoke tests against production."]));
        if rng.chance(600) {
            w!(
                t,
                "evidence = {}",
                q(&format!("Test report {}-TEST", change_id(i)))
            );
        }
        if rng.chance(150) {
            w!(
                t,
                "failures = {}",
                list(&["One flaky test in the nightly suite, fixed before the change."])
            );
        }
    }

    // Compat: real integrations of the changed systems, and third-party items.
    if rng.chance(750) {
        let mut targets: Vec<String> = Vec::new();
        for _ in 0..rng.range(1, 3) {
            let s = systems[rng.below(systems.len())];
            let touching = &world.touching[s];
            if touching.is_empty() {
                continue;
            }
            let id = &world.integrations[touching[rng.below(touching.len())] as usize].id;
            if !targets.contains(id) {
                targets.push(id.clone());
            }
        }
        let tp = &world.systems[systems[0]].third_party;
        if !tp.is_empty() && rng.chance(400) {
            let item = tp[rng.below(tp.len())];
            let target = if rng.chance(500) {
                item.rsplit_once(' ').map_or(item, |(name, _)| name)
            } else {
                item
            };
            if !targets.iter().any(|t| t == target) {
                targets.push(target.to_string());
            }
        }
        for target in targets {
            w!(t);
            w!(t, "[[change.compat]]");
            w!(t, "target = {}", q(&target));
            w!(t, "verified = {}", rng.chance(750));
            if rng.chance(400) {
                w!(
                    t,
                    "notes = {}",
                    q("Tested on staging with production-like data.")
                );
            }
        }
    }
    if rng.chance(850) {
        w!(t);
        w!(t, "[change.monitoring]");
        w!(
            t,
            "duration = {}",
            q(["72h", "72h", "48h", "1w"][rng.below(4)])
        );
        w!(t, "owner = {}", q(owner));
        let metrics = [
            (
                "p95 response time",
                "response-time",
                "< 500 ms",
                "Grafana: service overview",
            ),
            ("CPU", "cpu", "< 70 percent over 15 min", "Grafana: nodes"),
            ("Memory", "memory", "< 80 percent", "Grafana: nodes"),
            ("HTTP 5xx", "error-rate", "< 1 percent", "Loki: error logs"),
            (
                "Integration errors",
                "integrations",
                "0 connection errors",
                "Grafana: integrations",
            ),
            (
                "Service desk tickets",
                "tickets",
                "< 5 per day",
                "Jira Service Management",
            ),
            (
                "Queue depth",
                "other",
                "< 1000 messages",
                "RabbitMQ management",
            ),
        ];
        let mut chosen: Vec<usize> = if rng.chance(700) {
            (0..6).collect()
        } else {
            let mut c = rng.some(7, 3, 6);
            c.sort_unstable();
            c
        };
        if chosen.len() == 6 && rng.chance(200) {
            chosen.push(6);
        }
        w!(t, "metrics = [");
        for m in chosen {
            let (name, kind, threshold, source) = metrics[m];
            w!(
                t,
                "  {{ name = {}, kind = {}, threshold = {}, source = {} }},",
                q(name),
                q(kind),
                q(threshold),
                q(source)
            );
        }
        w!(t, "]");
    }
    if rng.chance(850) {
        w!(t);
        w!(t, "[change.communication]");
        let auds: Vec<&str> = rng
            .some(world.audiences.len(), 1, 3)
            .into_iter()
            .map(|a| world.audiences[a].as_str())
            .collect();
        w!(t, "audiences = {}", list(&auds));
        w!(
            t,
            "channels = {}",
            list(&[chat.as_str(), "intranet news", "email"])
        );
        w!(t, "contact = {}", q(&format!("{owner}@example.com")));
        if rng.chance(300) {
            w!(
                t,
                "guidelines = {}",
                q("Bookmarks keep working; clear the browser cache if pages look broken.")
            );
        }
    }
    if matches!(status, "completed" | "rolled-back") {
        w!(t);
        w!(t, "[change.outcome]");
        let result = if status == "rolled-back" {
            "rolled-back"
        } else {
            [
                "success", "success", "success", "success", "partial", "failed",
            ][rng.below(6)]
        };
        w!(t, "result = {}", q(result));
        w!(
            t,
            "completed = {}",
            datetime(last_end + 30 * rng.range(1, 6) as i64)
        );
        w!(t, "notes = {}", q("Went as planned; see the runbook log."));
        if result != "success" {
            w!(
                t,
                "issues = {}",
                list(&["Smoke tests failed for one region; fixed the next day."])
            );
        }
    }
    t
}

fn incidents(rng: &mut Rng, world: &World, changes: usize) -> String {
    let n = world.systems.len();
    let summaries = [
        "Certificate expired; consumers rejected requests for two hours.",
        "Connection pool exhausted after a config reload; restarts needed.",
        "Disk full on the primary node; writes failed for 40 minutes.",
        "Deployment with a wrong feature flag disabled logins for 20 minutes.",
        "Batch job ran twice after a failover and duplicated records.",
        "Slow query after an index change; p95 above 5 s for an hour.",
    ];
    let lessons = [
        "Monitor expiry dates and alert at 30 and 7 days.",
        "Health-check every consumer after touching connection settings.",
        "Alert on disk usage at 80 percent, not 95.",
        "Review feature flags in the change checklist.",
        "Make batch jobs idempotent before any failover test.",
        "Run EXPLAIN on the top queries before and after index changes.",
    ];
    let mut text = String::from("# Incident log: every failure worth remembering.\n");
    for k in 0..INCIDENTS {
        let day = days_from_civil(2025, 6, 1) + rng.below(537) as i64;
        let systems: Vec<&str> = rng
            .some(n, 1, 2)
            .into_iter()
            .map(|s| world.systems[s].id.as_str())
            .collect();
        let which = rng.below(summaries.len());
        w!(text);
        w!(text, "[[incident]]");
        w!(text, "id = {}", q(&format!("INC-{:04}", k + 1)));
        w!(text, "date = {}", date(day));
        w!(text, "systems = {}", list(&systems));
        if changes > 0 && rng.chance(250) {
            w!(text, "change = {}", q(&change_id(rng.below(changes))));
        }
        w!(text, "summary = {}", q(summaries[which]));
        w!(text, "lesson = {}", q(lessons[which]));
    }
    text
}
