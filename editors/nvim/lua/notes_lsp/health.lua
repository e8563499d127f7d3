-- :checkhealth notes_lsp: the binary the config starts and its version, the running clients,
-- their position encoding and whether notes changed outside Neovim reach the server.
local M = {}

local health = vim.health

-- The resolved config (lsp/notes_lsp.lua merged with vim.lsp.config overrides), or nil.
local function config()
  local ok, cfg = pcall(function()
    return vim.lsp.config.notes_lsp
  end)
  return ok and cfg or nil
end

local function check_binary(cfg)
  health.start('notes-lsp: server')
  if vim.fn.has('nvim-0.11') == 0 then
    health.error('Neovim 0.11 or newer is needed (lsp/notes_lsp.lua is a vim.lsp.config file)')
    return
  end
  if not cfg then
    health.error('no `notes_lsp` config found', {
      'put editors/nvim on the runtimepath (see editors/nvim/README.md), e.g. '
        .. "vim.opt.runtimepath:append('~/src/notes-lsp/editors/nvim')",
    })
    return
  end
  if vim.lsp.is_enabled('notes_lsp') then
    health.ok('enabled: vim.lsp.enable("notes_lsp") was called')
  else
    health.warn('not enabled: Markdown buffers get no server', { 'call vim.lsp.enable("notes_lsp")' })
  end
  local cmd = cfg.cmd
  if type(cmd) ~= 'table' or type(cmd[1]) ~= 'string' then
    health.info('cmd is a function: the binary is chosen when the server starts')
    return
  end
  local exe = vim.fn.exepath(vim.fn.expand(cmd[1]))
  if exe == '' then
    health.error(('binary `%s` not found (not on PATH, or not executable)'):format(cmd[1]), {
      'download notes-lsp-<version>-x86_64-unknown-linux-musl.tar.gz and put notes-lsp on PATH',
      'or build it: cargo install --locked --path . (from a checkout)',
      "or point the config at it: vim.lsp.config('notes_lsp', { cmd = { '/path/to/notes-lsp', '--stdio' } })",
    })
    return
  end
  health.ok('binary: ' .. exe)
  local ok, result = pcall(function()
    return vim.system({ exe, '--version' }, { text = true }):wait(5000)
  end)
  local version = ok and result.code == 0 and vim.trim(result.stdout or '') or ''
  if version:match('^notes%-lsp ') then
    health.ok('version: ' .. version)
  else
    local why = ok and ('exit %s: %s'):format(tostring(result.code), vim.trim(result.stderr or ''))
      or tostring(result)
    health.error(('`%s --version` failed (%s)'):format(exe, why), {
      'is it notes-lsp? a binary for another system?',
    })
  end
end

-- Whether the server watches files: Neovim must offer dynamic registration of
-- workspace/didChangeWatchedFiles (off by default on Linux and BSD) and the server registers
-- its watcher once it has a workspace folder.
local function check_watching(client)
  local offered = vim.tbl_get(client.capabilities, 'workspace', 'didChangeWatchedFiles', 'dynamicRegistration')
  local registered = client.dynamic_capabilities:get('workspace/didChangeWatchedFiles')
  if registered then
    local backend = 'libuv'
    local watchfunc = vim.lsp._watchfiles and vim.lsp._watchfiles._watchfunc
    if watchfunc and vim._watch and watchfunc == vim._watch.inotify then
      backend = 'inotifywait'
    elseif watchfunc and vim._watch and watchfunc == vim._watch.watchdirs then
      backend = 'libuv-watchdirs'
    end
    health.ok(('file watching: on (%s): notes changed outside Neovim are re-read'):format(backend))
    if backend == 'libuv-watchdirs' then
      health.info('install inotify-tools: Neovim then watches with inotifywait, which scales to many folders')
    end
  elseif not offered then
    health.warn('file watching: off: notes changed outside Neovim (git pull, another editor) are seen only when opened', {
      'Neovim offers workspace/didChangeWatchedFiles only on macOS and Windows by default; to turn it on:',
      "vim.lsp.config('notes_lsp', { capabilities = { workspace = { didChangeWatchedFiles = { dynamicRegistration = true } } } })",
      'on Linux, install inotify-tools (inotifywait) for a watcher that scales to many folders',
    })
  elseif not client.workspace_folders then
    health.info('file watching: off: the server has no workspace folder (no .notes-lsp.toml or .git above the note)')
  else
    health.warn('file watching: offered but the server has not registered a watcher (yet)')
  end
end

local function check_clients()
  health.start('notes-lsp: clients')
  local clients = vim.lsp.get_clients({ name = 'notes_lsp' })
  if #clients == 0 then
    health.info('no client running: open a Markdown file, then run :checkhealth notes_lsp again')
    return
  end
  for _, client in ipairs(clients) do
    local info = client.server_info or {}
    local buffers = vim.tbl_map(function(buf)
      local name = vim.api.nvim_buf_get_name(buf)
      return name ~= '' and vim.fn.fnamemodify(name, ':~:.') or ('[buffer ' .. buf .. ']')
    end, vim.tbl_keys(client.attached_buffers))
    table.sort(buffers)
    local stopped = client:is_stopped()
    local report = stopped and health.warn or health.ok
    report(
      ('client %d: %s%s, root %s%s, attached to %s'):format(
        client.id,
        tostring(info.name or 'notes-lsp'),
        info.version and (' ' .. info.version) or '',
        client.root_dir or '(none: single file)',
        stopped and ', stopped' or '',
        #buffers > 0 and table.concat(buffers, ', ') or 'no buffer'
      )
    )
    health.ok('position encoding: ' .. tostring(client.offset_encoding))
    check_watching(client)
  end
end

function M.check()
  local cfg = config()
  check_binary(cfg)
  check_clients()
end

return M
