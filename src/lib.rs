//! notes-lsp: a language server for interview notes.
//!
//! Analysis (`note`, `outline`, `samples`, `checks`, `analysis`, `hover`) works on byte
//! offsets and plain values; only `server` knows LSP types, and `cli` prints the same
//! analysis for the command line.

pub mod actions;
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
pub mod run;
pub mod samples;
pub mod server;
pub mod suggest;
pub mod symbol_index;
pub mod terms;
pub mod workspace;
