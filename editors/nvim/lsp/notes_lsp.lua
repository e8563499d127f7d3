-- notes-lsp: a language server for Markdown interview notes.
--
-- Neovim 0.11+ reads this file when `editors/nvim` is on 'runtimepath' and you call
--
--   vim.lsp.enable('notes_lsp')
--
-- Override any field with vim.lsp.config('notes_lsp', { ... }), e.g. the path of the binary:
--
--   vim.lsp.config('notes_lsp', { cmd = { vim.fn.expand('~/src/notes-lsp/target/release/notes-lsp'), '--stdio' } })

---@type vim.lsp.Config
return {
  cmd = { 'notes-lsp', '--stdio' },
  filetypes = { 'markdown' },
  -- The nearest directory with a .notes-lsp.toml, else the repository. A note outside
  -- both still gets a server, just without a workspace folder.
  root_markers = { '.notes-lsp.toml', '.git' },
  -- The server's own settings go in init_options, shaped like the VS Code extension's
  -- `notesLsp.*` settings without the prefix, e.g.
  --   init_options = { diagnostics = { ['unanswered-question'] = 'off' } }
}
