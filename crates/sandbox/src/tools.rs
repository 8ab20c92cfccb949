//! The one rule for tests that need a program from outside Rust (SoftHSM2,
//! moto, PyJWT, …): run when it is installed; otherwise say "skipped" and
//! which package to install, never pass silently. Where the run must skip
//! nothing (`.ci/run` sets [`REQUIRE_TOOLS`]), a missing tool fails the test.

/// The environment variable that turns a missing tool from a skip into a
/// failure (any non-empty value).
pub const REQUIRE_TOOLS: &str = "BEARER_REQUIRE_TOOLS";

/// `true` when `present`; otherwise prints `skipped: <tool> not installed
/// (<install>)` and returns `false`.
///
/// # Panics
///
/// When the tool is absent and [`REQUIRE_TOOLS`] is set: that run promised
/// to install it.
pub fn present_or_skip(present: bool, tool: &str, install: &str) -> bool {
    if present {
        return true;
    }
    let required = std::env::var_os(REQUIRE_TOOLS).is_some_and(|v| !v.is_empty());
    assert!(
        !required,
        "{tool} is not installed ({install}), and {REQUIRE_TOOLS} says this run must skip nothing"
    );
    println!("skipped: {tool} not installed ({install})");
    false
}

/// Whether `program` is an executable file in a `PATH` directory.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}
