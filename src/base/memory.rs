//! Hints to the allocator at the stages of a run. The library does not pick
//! the allocator: the binary registers a hook ([`set_hook`]) and the
//! stages call [`enter`]; without a hook (the tests) nothing happens.
//!
//! The binary's allocator hands freed memory back to the system after a
//! delay. Analysis frees and reuses much memory within a few milliseconds
//! of each other, and every page handed back too early is a page fault when
//! used again; rendering streams pages out, and what it holds back is peak
//! memory. So the hook keeps freed memory longer in a command that only
//! checks, and short in a build (bench/README.md, "Stages").

use std::sync::OnceLock;

/// A stage with its own use of memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// A command that checks the inventory and answers (`check`, `diff`,
    /// `gate`, `slots`, `export`): its peak is the analysis, freed memory
    /// may wait.
    Answer,
    /// Rendering and writing the site: what the check freed goes back
    /// first, and freed memory goes back soon. (A build's check keeps the
    /// binary's default, as short.)
    Render,
}

static HOOK: OnceLock<fn(Stage)> = OnceLock::new();

/// Registers the function told of each stage entered (once per process).
pub fn set_hook(hook: fn(Stage)) {
    let _ = HOOK.set(hook);
}

/// Tells the hook, if any, that `stage` begins.
pub fn enter(stage: Stage) {
    if let Some(hook) = HOOK.get() {
        hook(stage);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    static SEEN: Mutex<Vec<Stage>> = Mutex::new(Vec::new());

    fn record(stage: Stage) {
        SEEN.lock().unwrap().push(stage);
    }

    #[test]
    fn the_hook_hears_each_stage_entered() {
        // The only test of the library that registers a hook.
        set_hook(record);
        enter(Stage::Answer);
        enter(Stage::Render);
        let seen = SEEN.lock().unwrap().clone();
        assert!(
            seen.windows(2).any(|w| w == [Stage::Answer, Stage::Render]),
            "{seen:?}"
        );
    }
}
