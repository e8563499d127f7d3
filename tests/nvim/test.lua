-- End-to-end test of notes-lsp in a real, headless Neovim 0.11, through the config in
-- editors/nvim/lsp/notes_lsp.lua. Run it with tests/nvim/run.sh, which does
--
--   NOTES_LSP_BIN=... NOTES_LSP_TEST_SCRATCH=... nvim -u NONE -i NONE -n --headless \
--     -c 'lua dofile("tests/nvim/test.lua")'
--
-- (with -c rather than -l: under -l, keys fed to Insert mode end the editor instead of
-- waiting for the completion menu.)
--
-- It opens a copy of tests/nvim/fixture.md and checks what the server sends back.
-- Prints one line per check and "nvim: N passed, M failed"; exits 1 on any failure.

local TIMEOUT = tonumber(os.getenv('NOTES_LSP_TEST_TIMEOUT_MS') or '') or 10000

-- 'utf-16' or 'utf-32' offers the server only that position encoding; unset, Neovim offers
-- utf-8, utf-16 and utf-32 and the server picks.
local ENCODING = os.getenv('NOTES_LSP_TEST_ENCODING')
if ENCODING == '' then
  ENCODING = nil
end
-- The word before the closing "N passed, M failed" line.
local LABEL = os.getenv('NOTES_LSP_TEST_LABEL') or 'nvim'

local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local repo = vim.fn.fnamemodify(here .. '/../..', ':p'):gsub('/$', '')
local bin = os.getenv('NOTES_LSP_BIN')
local scratch = os.getenv('NOTES_LSP_TEST_SCRATCH') or vim.fn.tempname()

local function out(line)
  io.stdout:write(line .. '\n')
  io.stdout:flush()
end

local function indent(text)
  return ('     ' .. tostring(text):gsub('\n', '\n     '))
end

-- Assertion failures are tables, so they print without a Lua traceback.
local function fail(msg)
  error({ msg = msg }, 2)
end

local function expect(cond, msg)
  if not cond then
    fail(msg)
  end
end

local passed, failed = 0, 0
local client -- the notes_lsp client, once attached
local exit_code -- the server's exit code, once it has exited

local function test(name, fn, opts)
  opts = opts or {}
  if opts.needs_client and not client then
    failed = failed + 1
    out('FAIL ' .. name .. '\n' .. indent('no notes_lsp client attached'))
    return false
  end
  local ok, err = xpcall(fn, function(e)
    if type(e) == 'table' and e.msg then
      return e.msg
    end
    return debug.traceback(tostring(e), 2)
  end)
  if ok then
    passed = passed + 1
    out('ok   ' .. name)
  else
    failed = failed + 1
    out('FAIL ' .. name .. '\n' .. indent(err))
  end
  return ok
end

local function wait_for(what, cond)
  if not vim.wait(TIMEOUT, cond, 20) then
    fail(('timed out after %d ms waiting for %s'):format(TIMEOUT, what))
  end
end

local function finish()
  out(('%s: %d passed, %d failed'):format(LABEL, passed, failed))
  if failed > 0 then
    local log = vim.lsp.log.get_filename()
    if vim.fn.filereadable(log) == 1 then
      local lines = vim.fn.readfile(log)
      out(('--- last lines of %s (the server\'s stderr is logged here) ---'):format(log))
      for i = math.max(1, #lines - 40), #lines do
        out(lines[i])
      end
    end
    vim.cmd('cquit 1')
  end
  vim.cmd('qall!')
end

if not bin or bin == '' then
  out('usage: NOTES_LSP_BIN=path/to/notes-lsp tests/nvim/run.sh (see the top of this file)')
  vim.cmd('cquit 2')
end

-- ---------------------------------------------------------------------------
-- Setup: the fixture in a scratch folder that looks like a repository, so
-- root_markers has something to find.

local root = scratch .. '/notes'
vim.fn.mkdir(root .. '/.git', 'p')
local note = root .. '/fixture.md'
vim.fn.writefile(vim.fn.readfile(here .. '/fixture.md', 'b'), note, 'b')
-- Samples run on request only; a long time limit, for a loaded machine.
vim.fn.writefile({ '[run]', 'timeout = 60' }, root .. '/.notes-lsp.toml')
-- A note whose sample states a wrong output, for the run test.
local run_note = root .. '/outputs.md'
vim.fn.writefile({
  '# Outputs',
  '',
  '```python',
  'nums = [1, 2, 3]',
  'print(nums[::-1])  # [3, 2, 1]',
  'print(len(nums))  # Output: 4',
  '```',
}, run_note)

vim.opt.runtimepath:prepend(repo .. '/editors/nvim')
-- Markdown's ftplugin too, as a user's config has it: it maps gO in Markdown buffers.
vim.cmd('filetype plugin on')
-- Info and up in the LSP log, to check the level the server's log lines arrive at.
vim.lsp.log.set_level('info')
vim.lsp.config('notes_lsp', {
  cmd = { bin, '--stdio' },
  cmd_env = { NOTES_LSP_LOG = 'info' },
  on_exit = function(code)
    exit_code = code
  end,
  -- Every buffer change goes out as its own didChange, at once.
  flags = { debounce_text_changes = 0 },
})
if ENCODING then
  vim.lsp.config('notes_lsp', { capabilities = { general = { positionEncodings = { ENCODING } } } })
end
-- Set, Neovim offers workspace/didChangeWatchedFiles (on Linux it does not by default).
local WATCH = (os.getenv('NOTES_LSP_TEST_WATCH') or '') ~= ''
if WATCH then
  vim.lsp.config('notes_lsp', {
    capabilities = { workspace = { didChangeWatchedFiles = { dynamicRegistration = true } } },
  })
end

vim.api.nvim_create_autocmd('LspAttach', {
  callback = function(ev)
    local c = vim.lsp.get_client_by_id(ev.data.client_id)
    if c and c.name == 'notes_lsp' then
      client = c
    end
  end,
})
-- The version of the last publishDiagnostics per URI (vim.NIL when the server sends none).
local published = {}
local default_publish = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ctx, ...)
  if result and result.uri then
    published[result.uri] = result.version == nil and vim.NIL or result.version
  end
  return default_publish(err, result, ctx, ...)
end

vim.lsp.enable('notes_lsp')
vim.cmd.edit(vim.fn.fnameescape(note))
local buf = vim.api.nvim_get_current_buf()

-- ---------------------------------------------------------------------------
-- Helpers over the buffer and the diagnostics.

local function line_of(text)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if line == text then
      return i - 1
    end
  end
  fail(('fixture has no line %q'):format(text))
end

local severity_names = { 'error', 'warning', 'information', 'hint' }

local function describe_diagnostics()
  local lines = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    lines[#lines + 1] = ('line %d col %d [%s] %s: %s'):format(
      d.lnum + 1,
      d.col,
      tostring(d.code),
      severity_names[d.severity] or '?',
      d.message
    )
  end
  if #lines == 0 then
    return 'no diagnostics'
  end
  return 'diagnostics now:\n' .. table.concat(lines, '\n')
end

local function with_code(code)
  return vim.tbl_filter(function(d)
    return d.code == code
  end, vim.diagnostic.get(buf))
end

local function lnums(diags)
  return vim.tbl_map(function(d)
    return d.lnum
  end, diags)
end

local function request(method, params)
  local response, err = client:request_sync(method, params, TIMEOUT, buf)
  expect(response, ('%s: no response (%s)'):format(method, tostring(err)))
  expect(not response.err, ('%s: error %s'):format(method, vim.inspect(response.err)))
  return response.result
end

local function text_document()
  return { uri = vim.uri_from_bufnr(buf) }
end

-- Headings of the fixture, without the #s; `code` spans lose their backticks in
-- the comparison.
local function normalize(name)
  return vim.trim((name:gsub('^#+%s*', ''):gsub('`', ''):lower()))
end

local headings = {
  '# Python interview notes 🐍',
  '## Functions',
  '### What is a closure?',
  '### How do you define a function?',
  '### What does `zip` return?',
}

-- ---------------------------------------------------------------------------
-- The checks.

test('editors/nvim/lsp/notes_lsp.lua is a Neovim 0.11 config', function()
  local raw = dofile(repo .. '/editors/nvim/lsp/notes_lsp.lua')
  expect(vim.deep_equal(raw.cmd, { 'notes-lsp', '--stdio' }), 'cmd: ' .. vim.inspect(raw.cmd))
  expect(vim.deep_equal(raw.filetypes, { 'markdown' }), 'filetypes: ' .. vim.inspect(raw.filetypes))
  expect(
    vim.deep_equal(raw.root_markers, { '.notes-lsp.toml', '.git' }),
    'root_markers: ' .. vim.inspect(raw.root_markers)
  )
  local merged = vim.lsp.config.notes_lsp
  expect(merged and merged.cmd[1] == bin, 'vim.lsp.config did not merge the cmd override: ' .. vim.inspect(merged))
  expect(vim.deep_equal(merged.filetypes, { 'markdown' }), 'runtimepath config not found: ' .. vim.inspect(merged))
end)

test('the client attaches to a markdown buffer', function()
  expect(vim.bo[buf].filetype == 'markdown', 'filetype is ' .. vim.bo[buf].filetype)
  wait_for('LspAttach of notes_lsp', function()
    return client ~= nil or exit_code ~= nil
  end)
  expect(client, ('the server exited with code %s before attaching'):format(tostring(exit_code)))
  expect(client.root_dir == root, ('root_dir is %s, expected %s'):format(tostring(client.root_dir), root))
  expect(
    not ENCODING or client.offset_encoding == ENCODING,
    ('offered only %s, the server chose %s'):format(tostring(ENCODING), tostring(client.offset_encoding))
  )
  local info = client.server_info or {}
  out(
    ('#    server %s%s, position encoding %s'):format(
      tostring(info.name),
      info.version and (' ' .. info.version) or '',
      tostring(client.offset_encoding)
    )
  )
end)

test('the server advertises documentSymbol, hover and foldingRange', function()
  local caps = client.server_capabilities or {}
  local missing = {}
  for _, cap in ipairs({ 'documentSymbolProvider', 'hoverProvider', 'foldingRangeProvider' }) do
    if not caps[cap] then
      missing[#missing + 1] = cap
    end
  end
  expect(#missing == 0, 'missing: ' .. table.concat(missing, ', ') .. '\ncapabilities: ' .. vim.inspect(caps))
end, { needs_client = true })

local broken = line_of('def f(:')
test(('python-syntax error on line %d (`def f(:`)'):format(broken + 1), function()
  wait_for('a python-syntax diagnostic', function()
    return #with_code('python-syntax') > 0
  end)
  local diags = with_code('python-syntax')
  expect(
    vim.deep_equal(lnums(diags), { broken }),
    ('expected exactly one python-syntax on line %d\n%s'):format(broken + 1, describe_diagnostics())
  )
  expect(
    diags[1].severity == vim.diagnostic.severity.ERROR,
    'python-syntax is not an error\n' .. describe_diagnostics()
  )
end, { needs_client = true })

local closure = line_of('### What is a closure?')
test(('unanswered-question on line %d (`### What is a closure?`) only'):format(closure + 1), function()
  wait_for('an unanswered-question diagnostic', function()
    return #with_code('unanswered-question') > 0
  end)
  local diags = with_code('unanswered-question')
  expect(
    vim.deep_equal(lnums(diags), { closure }),
    ('expected exactly one unanswered-question, on line %d\n%s'):format(closure + 1, describe_diagnostics())
  )
  expect(
    diags[1].severity == vim.diagnostic.severity.INFO,
    'unanswered-question is not information\n' .. describe_diagnostics()
  )
end, { needs_client = true })

test('textDocument/documentSymbol returns the headings at their lines', function()
  local result = request('textDocument/documentSymbol', { textDocument = text_document() })
  expect(type(result) == 'table' and #result > 0, 'no symbols: ' .. vim.inspect(result))
  local symbols = {}
  local function collect(list)
    for _, s in ipairs(list) do
      local range = s.selectionRange or s.range or (s.location and s.location.range)
      symbols[#symbols + 1] = { name = s.name, line = range and range.start.line }
      if s.children then
        collect(s.children)
      end
    end
  end
  collect(result)
  local missing = {}
  for _, heading in ipairs(headings) do
    local want, line = normalize(heading), line_of(heading)
    local found = false
    for _, s in ipairs(symbols) do
      local name = normalize(s.name or '')
      if s.line == line and name ~= '' and (name:find(want, 1, true) or want:find(name, 1, true)) then
        found = true
      end
    end
    if not found then
      missing[#missing + 1] = ('%q on line %d'):format(heading, line + 1)
    end
  end
  expect(
    #missing == 0,
    'missing: '
      .. table.concat(missing, ', ')
      .. '\nsymbols (name, 1-based line): '
      .. table.concat(
        vim.tbl_map(function(s)
          return ('%q@%s'):format(s.name, s.line and s.line + 1 or '?')
        end, symbols),
        ', '
      )
  )
end, { needs_client = true })

-- What a user sees in the location list of vim.lsp.buf.document_symbol(): questions (a
-- heading opening a numbered list item among them) and only the sample that does not parse,
-- named so; with `outline.samples = "all"` the sample that parses too.
test('vim.lsp.buf.document_symbol() lists questions and the broken sample only', function()
  local function symbols()
    local items
    vim.lsp.buf.document_symbol({
      on_list = function(t)
        items = t.items
      end,
    })
    wait_for('the document symbols', function()
      return items ~= nil
    end)
    return vim.tbl_map(function(i)
      return ('%d %s'):format(i.lnum, i.text)
    end, items)
  end
  local texts = symbols()
  local function has(text)
    return vim.tbl_contains(texts, text)
  end
  local function samples()
    return vim.tbl_filter(function(t)
      return t:find('%[Object%]') ~= nil
    end, texts)
  end
  local shown = 'location list:\n' .. table.concat(texts, '\n')
  expect(has(('%d [Interface] What is a closure?'):format(closure + 1)), shown)
  expect(has(('%d [Interface] What is a list comprehension'):format(line_of('1. ### What is a list comprehension') + 1)), shown)
  expect(has(('%d [Namespace] Quiz'):format(line_of('## Quiz') + 1)), shown)
  local fence = line_of('```python') + 1
  expect(vim.deep_equal(samples(), { ('%d [Object] python sample (does not parse)'):format(fence) }), shown)

  client:notify('workspace/didChangeConfiguration', { settings = { notesLsp = { outline = { samples = 'all' } } } })
  wait_for('both samples listed after outline.samples = "all"', function()
    texts = symbols()
    return #samples() == 2
  end)
  local zip = line_of('pairs = list(zip([1, 2, 3], "ab"))')
  expect(vim.deep_equal(samples(), {
    ('%d [Object] python sample (does not parse)'):format(fence),
    ('%d [Object] python sample'):format(zip),
  }), 'location list:\n' .. table.concat(texts, '\n'))
  client:notify('workspace/didChangeConfiguration', { settings = { notesLsp = { outline = { samples = 'broken' } } } })
  wait_for('one sample listed again', function()
    texts = symbols()
    return #samples() == 1
  end)
end, { needs_client = true })

test('positions use the negotiated encoding (a heading ending in an emoji)', function()
  local heading = headings[1]
  local line = line_of(heading)
  local result = request('textDocument/documentSymbol', { textDocument = text_document() })
  local found
  local function search(list)
    for _, s in ipairs(list or {}) do
      local range = s.selectionRange or (s.location and s.location.range)
      if range and range.start.line == line then
        found = found or range
      end
      search(s.children)
    end
  end
  search(result)
  expect(found, ('no symbol on line %d: %s'):format(line + 1, vim.inspect(result)))
  expect(found['end'].line == line, 'the symbol of a one-line heading ends on another line: ' .. vim.inspect(found))
  local text = vim.api.nvim_buf_get_lines(buf, line, line + 1, false)[1]
  local ok, end_byte = pcall(vim.str_byteindex, text, client.offset_encoding, found['end'].character, false)
  expect(
    ok and end_byte == #text,
    ('%q: the symbol ends at %s character %d, which is byte %s; the line has %d bytes'):format(
      heading,
      client.offset_encoding,
      found['end'].character,
      tostring(ok and end_byte or end_byte),
      #text
    )
  )
end, { needs_client = true })

test('hover on a heading returns text', function()
  local heading = '### How do you define a function?'
  local result = request('textDocument/hover', {
    textDocument = text_document(),
    position = { line = line_of(heading), character = 8 },
  })
  local function text_of(contents)
    if type(contents) == 'string' then
      return contents
    elseif type(contents) ~= 'table' then
      return ''
    elseif contents.value then
      return contents.value
    end
    return table.concat(vim.tbl_map(text_of, contents), '\n')
  end
  local text = result and vim.trim(text_of(result.contents)) or ''
  expect(text ~= '', ('empty hover on %q: %s'):format(heading, vim.inspect(result)))
  out('#    hover: ' .. vim.fn.strcharpart((text:gsub('\n', ' ')), 0, 80))
end, { needs_client = true })

test('textDocument/foldingRange folds sections', function()
  local result = request('textDocument/foldingRange', { textDocument = text_document() })
  expect(type(result) == 'table' and #result > 0, 'no folding ranges: ' .. vim.inspect(result))
  -- The text ends with a newline, so LSP counts one more (empty) line than the buffer has.
  local last = vim.api.nvim_buf_line_count(buf)
  local heading_lines = {}
  for _, heading in ipairs(headings) do
    heading_lines[line_of(heading)] = true
  end
  local at_heading = false
  for _, r in ipairs(result) do
    expect(
      r.startLine >= 0 and r.startLine <= r.endLine and r.endLine <= last,
      'range out of the buffer: ' .. vim.inspect(r)
    )
    at_heading = at_heading or heading_lines[r.startLine] == true
  end
  expect(at_heading, 'no range starts at a heading: ' .. vim.inspect(result))
end, { needs_client = true })

test('fixing the sample in the buffer clears python-syntax', function()
  vim.api.nvim_buf_set_lines(buf, broken, broken + 1, false, { 'def f():' })
  wait_for('python-syntax to go away', function()
    return #with_code('python-syntax') == 0
  end)
  expect(
    vim.deep_equal(lnums(with_code('unanswered-question')), { closure }),
    'unanswered-question moved or vanished after an unrelated edit\n' .. describe_diagnostics()
  )
end, { needs_client = true })

test('answering the question clears unanswered-question', function()
  vim.api.nvim_buf_set_lines(buf, closure + 1, closure + 1, false, {
    '',
    'A function that keeps the variables of the scope it was defined in.',
    '',
  })
  wait_for('unanswered-question to go away', function()
    return #with_code('unanswered-question') == 0
  end)
end, { needs_client = true })

test('breaking the sample again reports its new line', function()
  local moved = line_of('def f():')
  expect(moved == broken + 3, ('the sample line is %d, expected %d'):format(moved + 1, broken + 4))
  vim.api.nvim_buf_set_lines(buf, moved, moved + 1, false, { 'def f(:' })
  wait_for(('python-syntax on line %d'):format(moved + 1), function()
    return vim.deep_equal(lnums(with_code('python-syntax')), { moved })
  end)
end, { needs_client = true })

test('a burst of one-character edits ends with diagnostics for the final text', function()
  local broken_now = line_of('def f(:')
  local text = '\n### What is a tuple?\n\nAn immutable sequence:\n\n```python\nt = (1, 2, 3)\n```'
  local row = vim.api.nvim_buf_line_count(buf) - 1
  local col = #vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1]
  local edits = 0
  -- No waiting between edits: each is its own didChange, and the intermediate texts
  -- have an unanswered question and an unclosed `(`.
  for ch in text:gmatch('.') do
    if ch == '\n' then
      vim.api.nvim_buf_set_text(buf, row, col, row, col, { '', '' })
      row, col = row + 1, 0
    else
      vim.api.nvim_buf_set_text(buf, row, col, row, col, { ch })
      col = col + 1
    end
    edits = edits + 1
  end
  local uri = vim.uri_from_bufnr(buf)
  local version = vim.lsp.util.buf_versions[buf]
  wait_for(('diagnostics for version %d, after %d edits'):format(version, edits), function()
    return published[uri] == version
  end)
  expect(
    vim.deep_equal(lnums(with_code('python-syntax')), { broken_now }),
    ('expected python-syntax only on line %d\n%s'):format(broken_now + 1, describe_diagnostics())
  )
  expect(#with_code('unanswered-question') == 0, 'the typed question has an answer\n' .. describe_diagnostics())
end, { needs_client = true })

-- Types `](#2-wh` in Insert mode, asks for omni completion (<C-x><C-o>, which the client
-- sets to vim.lsp.omnifunc), accepts the first item and checks the line: the anchor replaces
-- what was typed, the menu held only the matching headings, in document order, labelled
-- with their titles.
test('completing `](#2-wh` with <C-x><C-o> inserts the heading\'s anchor', function()
  local last = vim.api.nvim_buf_line_count(buf)
  vim.api.nvim_buf_set_lines(buf, last, last, false, { '', 'See [generators](' })
  local row = last + 2
  vim.api.nvim_win_set_cursor(0, { row, 0 })
  local menu -- complete_info() when the popup menu showed
  local done = false
  local started = vim.uv.now()
  local timer = assert(vim.uv.new_timer())
  -- Runs while Insert mode waits for keys: accepts the item once the menu shows.
  timer:start(
    20,
    20,
    vim.schedule_wrap(function()
      if done then
        return
      end
      if vim.fn.pumvisible() == 1 then
        menu = vim.fn.complete_info({ 'items', 'selected' })
        done = true
        vim.api.nvim_feedkeys(vim.keycode('<C-y><Esc>'), 'n', false)
      elseif vim.uv.now() - started > TIMEOUT then
        done = true
        vim.api.nvim_feedkeys(vim.keycode('<Esc>'), 'n', false)
      end
    end)
  )
  -- 'x!': execute the keys and stay in Insert mode until the timer leaves it.
  vim.api.nvim_feedkeys(vim.keycode('A#2-wh<C-x><C-o>'), 'ntx!', false)
  timer:stop()
  timer:close()
  local line = vim.api.nvim_buf_get_lines(buf, row - 1, row, false)[1]
  expect(menu, ('no completion menu within %d ms; the line reads %q'):format(TIMEOUT, line))
  local words, labels = {}, {}
  for _, item in ipairs(menu.items) do
    words[#words + 1] = item.word
    labels[#labels + 1] = item.abbr
  end
  expect(
    vim.deep_equal(words, { '2-what-is-a-generator', '2-what-does-finally-do' }),
    'menu words: ' .. vim.inspect(words)
  )
  expect(
    vim.deep_equal(labels, { '2. What is a generator?', '2. What does finally do?' }),
    'menu labels: ' .. vim.inspect(labels)
  )
  expect(line == 'See [generators](#2-what-is-a-generator', ('the line reads %q'):format(line))
  out('#    completed: ' .. line)
end, { needs_client = true })

-- Neovim 0.11 registers no file watchers for the server on Linux: the server watches the
-- root itself, so a note written from the shell is found by workspace symbols.
test('a note written outside the editor is found by workspace/symbol', function()
  local fresh = root .. '/topics/fresh.md'
  vim.fn.mkdir(root .. '/topics', 'p')
  vim.fn.writefile({ '# Fresh', '', '### What is a watched folder?', '', 'One the server sees.' }, fresh)
  local uri = vim.uri_from_fname(fresh)
  local names
  wait_for('workspace/symbol to find the new note', function()
    local result = request('workspace/symbol', { query = 'watched folder' }) or {}
    names = {}
    for _, s in ipairs(result) do
      if s.location and s.location.uri == uri then
        names[#names + 1] = s.name
      end
    end
    return #names > 0
  end)
  expect(names[1] == 'What is a watched folder?', 'found: ' .. vim.inspect(names))
end, { needs_client = true })

-- Neovim sets 'tagfunc' to vim.lsp.tagfunc for a server with definitions: CTRL-] on a link
-- goes to the heading it names (the key editors/nvim/README.md gives for it).
test('CTRL-] on a link jumps to the heading it names', function()
  local row = vim.api.nvim_buf_line_count(buf)
  vim.api.nvim_buf_set_lines(buf, row - 1, row, false, { 'See [generators](#2-what-is-a-generator)' })
  vim.api.nvim_win_set_cursor(0, { row, #'See [generators](#2' })
  expect(vim.bo[buf].tagfunc == 'v:lua.vim.lsp.tagfunc', 'tagfunc is ' .. vim.bo[buf].tagfunc)
  vim.api.nvim_feedkeys(vim.keycode('<C-]>'), 'nx', false)
  local target = line_of('### 2. What is a generator?')
  local at = vim.api.nvim_win_get_cursor(0)[1] - 1
  expect(at == target, ('the cursor is on line %d, the heading on %d'):format(at + 1, target + 1))
end, { needs_client = true })

-- The server's log comes as window/logMessage, which Neovim writes at its level; stderr
-- would be logged as [ERROR] whatever it said.
test('the server\'s info lines reach the LSP log as [INFO], not [ERROR]', function()
  local file = vim.lsp.log.get_filename()
  local ready
  wait_for('"notes-lsp ... ready" in ' .. file, function()
    for _, line in ipairs(vim.fn.filereadable(file) == 1 and vim.fn.readfile(file) or {}) do
      -- "notes-lsp 0.1.0 (<commit or debug build>) ready"
      if line:find('notes%-lsp [%d.]+ %(.-%) ready') then
        ready = line
        return true
      end
    end
    return false
  end)
  expect(vim.startswith(ready, '[INFO]'), 'logged as: ' .. ready)
  for _, line in ipairs(vim.fn.readfile(file)) do
    expect(not (vim.startswith(line, '[ERROR]') and line:find('notes_lsp')), 'an error line: ' .. line)
  end
end, { needs_client = true })

-- :checkhealth notes_lsp (editors/nvim/lua/notes_lsp/health.lua), as the text of its report;
-- the report's tab is closed after.
local function checkhealth()
  vim.cmd('checkhealth notes_lsp')
  local report = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  vim.cmd('tabclose')
  return report
end

test(':checkhealth notes_lsp names the binary, its version, the client, encoding and file watching', function()
  if WATCH then
    wait_for('the server to register its file watcher', function()
      return client.dynamic_capabilities:get('workspace/didChangeWatchedFiles') ~= nil
    end)
  end
  local report = checkhealth()
  local version = vim.trim(vim.fn.system({ bin, '--version' }))
  local function has(text)
    expect(report:find(text, 1, true), ('no %q in the report:\n%s'):format(text, report))
  end
  has('OK enabled: vim.lsp.enable("notes_lsp") was called')
  has('OK binary: ' .. bin)
  has('OK version: ' .. version)
  has(('OK client %d: notes-lsp %s, root %s, attached to '):format(client.id, version:gsub('^notes%-lsp ', ''), root))
  has('OK position encoding: ' .. client.offset_encoding)
  has(WATCH and 'OK file watching: on' or 'WARNING file watching: off')
  expect(not report:find('ERROR', 1, true), 'an error in the report:\n' .. report)
  for line in report:gmatch('[^\n]+') do
    if line:find('^%- ') then
      out('#    ' .. line)
    end
  end
  expect(vim.api.nvim_get_current_buf() == buf, 'the note is no longer the current buffer')
end, { needs_client = true })

test(':checkhealth notes_lsp says when the binary is not there', function()
  local missing = scratch .. '/nowhere/notes-lsp'
  vim.lsp.config('notes_lsp', { cmd = { missing, '--stdio' } })
  local report = checkhealth()
  vim.lsp.config('notes_lsp', { cmd = { bin, '--stdio' } })
  expect(
    report:find(('ERROR binary `%s` not found'):format(missing), 1, true),
    'the report:\n' .. report
  )
end, { needs_client = true })

-- Opens a note whose sample states a wrong output: nothing runs until its "Run sample"
-- code lens is run (vim.lsp.codelens.run on the sample's line), then output-mismatch shows on
-- the stated output, and the quick fix (vim.lsp.buf.code_action) writes the real output.
test('the "Run sample" code lens runs the sample; its mismatch is fixed in place', function()
  vim.cmd.edit(vim.fn.fnameescape(run_note))
  local rbuf = vim.api.nvim_get_current_buf()
  wait_for('notes_lsp on ' .. run_note, function()
    return #vim.lsp.get_clients({ bufnr = rbuf, name = 'notes_lsp' }) > 0
  end)
  local function codes()
    return vim.tbl_map(function(d)
      return d.code
    end, vim.diagnostic.get(rbuf))
  end
  local uri = vim.uri_from_bufnr(rbuf)
  wait_for('the first diagnostics of ' .. run_note, function()
    return published[uri] ~= nil
  end)
  expect(not vim.tbl_contains(codes(), 'output-mismatch'), 'something ran by itself: ' .. vim.inspect(codes()))

  vim.lsp.codelens.refresh({ bufnr = rbuf })
  local lenses
  wait_for('code lenses', function()
    lenses = vim.lsp.codelens.get(rbuf)
    return #lenses == 2 and lenses[1].command ~= nil and lenses[2].command ~= nil
  end)
  table.sort(lenses, function(a, b)
    return a.range.start.line < b.range.start.line
  end)
  expect(lenses[1].command.command == 'notes-lsp.runAll', vim.inspect(lenses[1]))
  expect(lenses[2].command.command == 'notes-lsp.runSample', vim.inspect(lenses[2]))
  expect(lenses[2].range.start.line == 2, 'the sample lens is on line ' .. lenses[2].range.start.line)

  vim.api.nvim_win_set_cursor(0, { 3, 0 })
  vim.lsp.codelens.run()
  local mismatch
  -- The run itself: an interpreter started in the sandbox, on a machine perhaps busy.
  if not vim.wait(math.max(TIMEOUT, 60000), function()
    mismatch = vim.tbl_filter(function(d)
      return d.code == 'output-mismatch'
    end, vim.diagnostic.get(rbuf))[1]
    return mismatch ~= nil
  end, 50) then
    fail('no output-mismatch after running the lens: ' .. vim.inspect(codes()))
  end
  expect(mismatch.message == 'prints `3`; the note says `4`', 'message: ' .. mismatch.message)
  expect(mismatch.lnum == 5 and mismatch.col == 28, ('at %d:%d'):format(mismatch.lnum, mismatch.col))
  expect(mismatch.severity == vim.diagnostic.severity.WARN, 'severity ' .. mismatch.severity)

  vim.api.nvim_win_set_cursor(0, { mismatch.lnum + 1, mismatch.col })
  vim.lsp.buf.code_action({
    apply = true,
    filter = function(a)
      return a.title:match('^Write the real output:') ~= nil
    end,
  })
  wait_for('the quick fix to write the real output', function()
    return vim.api.nvim_buf_get_lines(rbuf, 5, 6, false)[1] == 'print(len(nums))  # Output: 3'
  end)
  wait_for('output-mismatch to go away', function()
    return not vim.tbl_contains(codes(), 'output-mismatch')
  end)
  out('#    fixed: ' .. vim.api.nvim_buf_get_lines(rbuf, 5, 6, false)[1])
end, { needs_client = true })

test('the server shuts down and exits 0 when the client stops', function()
  client:stop()
  wait_for('the server to exit', function()
    return exit_code ~= nil
  end)
  expect(exit_code == 0, 'exit code ' .. tostring(exit_code))
end, { needs_client = true })

finish()
