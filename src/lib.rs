//! notes-lsp: a language server for interview notes.
//!
//! Analysis (`note`, `outline`, `samples`, `checks`, `analysis`, `hover`) works on byte
//! offsets and plain values; only `server` knows LSP types, and `cli` prints the same
//! analysis for the command line.

/// The version and the build's commit, as `--version` and the LSP `serverInfo` give them:
/// `0.1.0 (4f3c2a1b9e0d 2026-12-07)`; see build.rs for the other forms.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("NOTES_LSP_BUILD"),
    ")"
);

pub mod actions;
#[cfg(target_os = "linux")]
pub mod alloc;
pub mod analysis;
pub mod checks;
pub mod cli;
pub mod codes;
pub mod config;
pub mod duplicates;
pub mod files;
pub mod hover;
pub mod links;
pub mod note;
pub mod outline;
pub mod parallel;
pub mod recent;
pub mod run;
pub mod samples;
pub mod server;
pub mod suggest;
pub mod symbol_index;
pub mod terms;
pub mod workspace;
