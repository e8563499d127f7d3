//! How long the randomized tests run, shared by the test files that have them.
//!
//! A plain `cargo test` runs a quick sample of each randomized test (a couple of minutes for
//! the whole suite on two cores). `NOTES_LSP_FUZZ_CASES=N` multiplies every count by N for a
//! long run; CI (`.ci/run`) runs the suite with N = 20.

/// `quick` cases, times `NOTES_LSP_FUZZ_CASES` when set.
pub fn cases(quick: u32) -> u32 {
    let factor = std::env::var("NOTES_LSP_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(1);
    quick * factor.max(1)
}
