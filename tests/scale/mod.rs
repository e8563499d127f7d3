//! How long the randomized tests run, shared by the test files that have them.

/// `default` cases, times `NOTES_LSP_FUZZ_CASES` when set (long fuzzing runs).
pub fn cases(default: u32) -> u32 {
    let factor = std::env::var("NOTES_LSP_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(1);
    default * factor.max(1)
}
