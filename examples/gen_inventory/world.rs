//! Systems, integrations, processes and audiences, and the files that hold
//! them.

#[allow(unused_imports)]
use crate::*;

// --- Entities --------------------------------------------------------------------

pub(crate) struct System {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) owner: usize,
    pub(crate) criticality: usize,
    pub(crate) kind: &'static str,
    pub(crate) stateful: bool,
    pub(crate) tags: Vec<&'static str>,
    pub(crate) third_party: Vec<&'static str>,
}

pub(crate) struct Integration {
    pub(crate) id: String,
    pub(crate) consumer: usize,
    pub(crate) provider: usize,
}

pub(crate) struct World {
    pub(crate) systems: Vec<System>,
    pub(crate) integrations: Vec<Integration>,
    /// Integrations with the system at either end.
    pub(crate) touching: Vec<Vec<u32>>,
    pub(crate) processes: Vec<String>,
    pub(crate) audiences: Vec<String>,
}

pub(crate) fn system_id(i: usize) -> String {
    format!("svc-{:05}", i + 1)
}

pub(crate) fn generate(options: &Options) -> Result<usize, String> {
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
pub(crate) fn write_parts(
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

pub(crate) fn write_files(out: &Path, files: &[(PathBuf, String)]) -> Result<(), String> {
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

pub(crate) fn config() -> String {
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

pub(crate) fn teams() -> String {
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

pub(crate) fn team_index(name: &str) -> usize {
    TEAMS.iter().position(|t| *t == name).unwrap_or(0)
}

pub(crate) fn gen_systems(rng: &mut Rng, count: usize) -> Vec<System> {
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

pub(crate) fn hub_count(systems: usize) -> usize {
    (systems / 20).clamp(1, HUBS.len())
}

pub(crate) fn write_system(text: &mut String, rng: &mut Rng, s: &System) {
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

pub(crate) fn gen_integrations(
    rng: &mut Rng,
    systems: &[System],
    count: usize,
) -> Vec<Integration> {
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

pub(crate) fn write_integration(
    text: &mut String,
    rng: &mut Rng,
    world: &World,
    i: usize,
    runs: bool,
) {
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

pub(crate) fn processes_file(rng: &mut Rng, world: &World) -> String {
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

pub(crate) fn audiences_file(rng: &mut Rng, world: &World) -> String {
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
