//! Windows, freezes and peaks.

#[allow(unused_imports)]
use crate::*;

// --- Calendar --------------------------------------------------------------------

pub(crate) struct Period {
    pub(crate) kind: &'static str,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) timezone: Option<&'static str>,
    /// `rrule`, `start`, `duration` or a one-off `from`/`until`.
    pub(crate) when: When,
    pub(crate) scope: String,
    pub(crate) hard: Option<bool>,
    pub(crate) reason: String,
}

pub(crate) enum When {
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

pub(crate) fn recurring(rrule: &'static str, start: &'static str, duration: &'static str) -> When {
    When::Recurring {
        rrule,
        start,
        duration,
        from: None,
        until: None,
    }
}

pub(crate) fn calendar(rng: &mut Rng, world: &World, count: usize) -> String {
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

pub(crate) fn gen_period(rng: &mut Rng, world: &World, i: usize) -> Period {
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
