//! Changes with their phases, backups, rollbacks and communication, and the
//! incidents of past changes.

#[allow(unused_imports)]
use crate::*;

// --- Changes ---------------------------------------------------------------------

/// Slot kinds a phase is planned into.
#[derive(Clone, Copy)]
pub(crate) enum Slot {
    SundayEarly,
    TueThuEvening,
    FirstSaturday,
    Anywhere,
}

/// A phase `(start, duration)` in local minutes, starting at or after
/// `earliest`.
pub(crate) fn plan_phase(rng: &mut Rng, earliest: i64) -> (i64, i64) {
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

pub(crate) const STATUSES: [&str; 8] = [
    "draft",
    "proposed",
    "approved",
    "scheduled",
    "in-progress",
    "completed",
    "rolled-back",
    "cancelled",
];
pub(crate) const STATUS_WEIGHTS: [usize; 8] = [20, 20, 18, 25, 2, 9, 2, 4];

pub(crate) fn change_id(i: usize) -> String {
    format!("CHG-{:05}", i + 1)
}

/// The text of every change, in id order.
pub(crate) fn gen_changes(rng: &mut Rng, world: &World, count: usize) -> Vec<String> {
    (0..count).map(|i| change(rng, world, i)).collect()
}

pub(crate) fn change(rng: &mut Rng, world: &World, i: usize) -> String {
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

pub(crate) fn incidents(rng: &mut Rng, world: &World, changes: usize) -> String {
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
