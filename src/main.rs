use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// The static Linux binary (`scripts/dist.sh`) allocates through mimalloc, big blocks on
/// pages of their own (`alloc::Shipped`): musl's malloc, which it would get otherwise, is
/// slower and holds more (docs/performance.md, "The shipped binary"). Builds against glibc
/// keep glibc's malloc, which `server::memory` tunes.
#[cfg(target_env = "musl")]
#[global_allocator]
static GLOBAL: notes_lsp::alloc::Shipped = notes_lsp::alloc::Shipped;

/// A language server for interview notes: Markdown questions, answers and code samples.
#[derive(Parser)]
#[command(version = notes_lsp::VERSION, about, arg_required_else_help = true)]
struct Cli {
    /// Speak the Language Server Protocol over stdin and stdout.
    #[arg(long)]
    stdio: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Check notes and print diagnostics (exit 0: no errors, 1: errors, 2: bad input).
    Check {
        /// Output format.
        #[arg(long, value_enum, default_value_t = FormatArg::Text)]
        format: FormatArg,
        /// Apply the safe fixes in place, report what changed, then check what is left.
        #[arg(long)]
        fix: bool,
        /// Print the safe fixes as a unified diff instead of writing them (exit 1 if any).
        #[arg(long)]
        diff: bool,
        /// Run the samples that state their output (this runs the notes' code, contained)
        /// and report outputs that differ (`output-mismatch`).
        #[arg(long, conflicts_with_all = ["fix", "diff"])]
        run: bool,
        /// With --run: the Python interpreter, a name on PATH or a path (default python3).
        /// Only here or in the editor's settings, never in .notes-lsp.toml.
        #[arg(long, value_name = "CMD", requires = "run")]
        python: Option<String>,
        /// With --run: the JavaScript runtime, a name on PATH or a path (default node).
        #[arg(long, value_name = "CMD", requires = "run")]
        node: Option<String>,
        /// Files or directories (walked, honouring .gitignore); default `.`.
        paths: Vec<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Text,
    Json,
}

fn main() -> ExitCode {
    // SAFETY: first thing in the process: no tree-sitter object and no other thread yet.
    unsafe { notes_lsp::note::use_mimalloc_in_tree_sitter() };
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Usage errors exit 2; --help and --version exit 0.
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Some(Command::Check {
            format,
            fix,
            diff,
            run,
            python,
            node,
            paths,
        }) => {
            // The server's allocator settings (no other thread exists yet): over the corpus
            // and seeds, peak RSS 1.4-3.2 MiB lower, the same output (docs/performance.md).
            notes_lsp::server::memory::configure();
            let format = match format {
                FormatArg::Text => notes_lsp::cli::Format::Text,
                FormatArg::Json => notes_lsp::cli::Format::Json,
            };
            let (out, err) = (&mut std::io::stdout().lock(), &mut std::io::stderr().lock());
            let code = if fix || diff {
                notes_lsp::cli::fix::run(&paths, format, diff, out, err)
            } else {
                let run = run.then_some(notes_lsp::cli::RunArgs { python, node });
                notes_lsp::cli::check(&paths, format, run.as_ref(), out, err)
            };
            ExitCode::from(code as u8)
        }
        None if cli.stdio => {
            notes_lsp::server::run_stdio();
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("notes-lsp: nothing to do; try --stdio or `check`");
            ExitCode::from(2)
        }
    }
}
