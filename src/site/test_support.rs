//! Tests of the site: generated inventories.

/// `n` systems of random criticality (ids not in written order), each
/// past the first consuming an earlier one, and changes of a few
/// systems each.
pub fn inventory(crit: &[usize], provider: &[usize], changes: &[Vec<usize>]) -> String {
    let n = crit.len();
    let id = |s: usize| format!("s{:03}", (s * 7 + 3) % 1000);
    let levels = ["low", "medium", "high", "critical"];
    let mut text = String::from("[[team]]\nid = \"t\"\nname = \"T\"\n");
    for (s, &c) in crit.iter().enumerate() {
        text.push_str(&format!(
            "[[system]]\nid = \"{}\"\nname = \"S\"\nowner = \"t\"\ncriticality = \"{}\"\n",
            id(s),
            levels[c % 4]
        ));
    }
    for (s, &p) in provider.iter().enumerate().take(n).skip(1) {
        text.push_str(&format!(
            "[[integration]]\nid = \"i{s}\"\nconsumer = \"{}\"\nprovider = \"{}\"\n",
            id(s),
            id(p % s)
        ));
    }
    for (c, systems) in changes.iter().enumerate() {
        let names: Vec<String> = systems.iter().map(|&s| id(s % n)).collect();
        text.push_str(&format!(
            "[[change]]\nid = \"c{c}\"\ntitle = \"C\"\nowner = \"t\"\nstatus = \"proposed\"\nsystems = {names:?}\nsummary = \"s\"\nwhy = \"w\"\n[[change.phase]]\nname = \"p\"\nstart = 2026-12-06T02:00:00\nduration = \"1h\"\n"
        ));
    }
    text
}
