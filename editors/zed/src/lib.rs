//! Zed extension that runs `notes-lsp --stdio` for Markdown files.
//!
//! The binary is `lsp.notes-lsp.binary.path` from Zed's settings when set, else
//! `notes-lsp` on the PATH of the project's shell. Initialization options and
//! workspace settings come from `lsp.notes-lsp.initialization_options` / `.settings`.

use zed_extension_api::{self as zed, serde_json, settings::LspSettings, LanguageServerId, Result};

const SERVER: &str = "notes-lsp";

struct NotesLspExtension;

impl zed::Extension for NotesLspExtension {
    fn new() -> Self {
        NotesLspExtension
    }

    fn language_server_command(
        &mut self,
        _language_server_id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<zed::Command> {
        let binary = LspSettings::for_worktree(SERVER, worktree)
            .ok()
            .and_then(|settings| settings.binary);
        let configured_path = binary.as_ref().and_then(|b| b.path.clone());
        let args = binary
            .as_ref()
            .and_then(|b| b.arguments.clone())
            .unwrap_or_else(|| vec!["--stdio".to_string()]);
        let user_env: Vec<(String, String)> = binary
            .and_then(|b| b.env)
            .map(|env| env.into_iter().collect())
            .unwrap_or_default();

        let mut env = Vec::new();
        let command = match configured_path {
            Some(path) => path,
            None => {
                let Some(path) = worktree.which(SERVER) else {
                    return Err(format!(
                        "{SERVER} was not found on PATH. Install it with `cargo install --locked --path .` \
                         from a checkout of notes-lsp, or set lsp.{SERVER}.binary.path in Zed's settings."
                    ));
                };
                // Found through the project's shell: start it with that environment.
                env = worktree.shell_env();
                path
            }
        };
        // The user's binary.env wins over the shell's.
        env.extend(user_env);
        Ok(zed::Command { command, args, env })
    }

    fn language_server_initialization_options(
        &mut self,
        _language_server_id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<serde_json::Value>> {
        Ok(LspSettings::for_worktree(SERVER, worktree)
            .ok()
            .and_then(|settings| settings.initialization_options))
    }

    fn language_server_workspace_configuration(
        &mut self,
        _language_server_id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<serde_json::Value>> {
        let settings = LspSettings::for_worktree(SERVER, worktree)
            .ok()
            .and_then(|settings| settings.settings);
        Ok(settings.map(|settings| serde_json::json!({ "notesLsp": settings })))
    }
}

zed::register_extension!(NotesLspExtension);
