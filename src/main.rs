//! `cutover`: parse flags and run one command (see `commands`).

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: the pages are built from many short-lived strings, and
/// glibc's malloc and free were a fifth of a build's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_arena_eager_commit` and `mi_option_purge_delay`
/// (the order of `mi_option_e` in its v3 `mimalloc.h`, which the
/// `libmimalloc-sys` crate builds).
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
/// How long freed memory is kept before it goes back to the system.
const PURGE_DELAY_MS: std::os::raw::c_long = 10;

fn main() -> ExitCode {
    // Memory freed by one stage goes back to the system before the next
    // one grows (the default keeps it for 1 s and commits arenas eagerly).
    // The first arena is reserved before `main`, so arenas committed as
    // used come from `.cargo/config.toml` for it and from here for the
    // later ones: the peak of a build of the generated inventory is 174 MB
    // instead of 250 MB. Freed pages wait 10 ms before they go back: at
    // 0 every page that empties was one `madvise` and a page fault when
    // used again, a fifth of a large build's time in the kernel
    // (bench/README.md, "Allocator"). Each command then sets the delay of
    // its stages through `stage`.
    // SAFETY: sets two documented options of the allocator, before any
    // thread but this one exists.
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(PURGE_DELAY, PURGE_DELAY_MS);
    }
    cutover::base::memory::set_hook(stage);
    cutover::commands::run(cutover::cli::Cli::parse())
}

/// How long freed memory waits before it goes back to the system in a
/// command that only checks and answers (see `cutover::base::memory`). A
/// build's check keeps `PURGE_DELAY_MS`: 100 ms there gained nothing
/// measurable at 10x and raised the 1x peak towards Zola's
/// (bench/README.md, "Stages").
const ANSWER_PURGE_DELAY_MS: std::os::raw::c_long = 1000;

/// Sets the allocator's purge delay for each stage; rendering starts by
/// handing back what the check freed.
fn stage(stage: cutover::base::memory::Stage) {
    use cutover::base::memory::Stage;
    // SAFETY: sets a documented option, and collects the calling thread's
    // heap and the pending purges; both may be called at any time.
    unsafe {
        match stage {
            Stage::Answer => libmimalloc_sys::mi_option_set(PURGE_DELAY, ANSWER_PURGE_DELAY_MS),
            Stage::Render => {
                libmimalloc_sys::mi_option_set(PURGE_DELAY, PURGE_DELAY_MS);
                libmimalloc_sys::mi_collect(true);
            }
        }
    }
}
