// The checks of tests/vscode/real.sh, in a real VS Code window (code-server in Chromium,
// driven by playwright-core): what a user sees of notes-lsp in tests/vscode/workspace/.
//
// Environment (real.sh sets it): NOTES_LSP_URL (code-server with the workspace folder),
// NOTES_LSP_WORKSPACE, NOTES_LSP_ARTIFACTS (screenshots), PLAYWRIGHT_CORE (the package's
// folder), CHROMIUM (the browser binary); with NOTES_LSP_EXPECT_SERVER set, the Notes LSP
// output channel (its log file under NOTES_LSP_LOGS) must have a line starting with it.
// Prints one line per check and "vscode-real: N passed, M failed"; exits 1 on any failure.
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require(process.env.PLAYWRIGHT_CORE);

const NOTE = 'python-interview.md';
const artifacts = process.env.NOTES_LSP_ARTIFACTS;
// A busy machine needs a while: code-server's start to the first diagnostic took 7-22 s on
// two loaded cores.
const SLOW = 90000;

let passed = 0;
let failed = 0;
let page;

function out(line) {
  process.stdout.write(line + '\n');
}

async function shot(name) {
  const file = path.join(artifacts, name + '.png');
  await page.screenshot({ path: file });
  return file;
}

// Runs one check: passes unless `fn` throws. A failed check leaves a screenshot.
async function check(name, fn) {
  try {
    await fn();
    passed += 1;
    out('ok   ' + name);
    return true;
  } catch (err) {
    failed += 1;
    out('FAIL ' + name);
    // Playwright's call log says how it retried, not what was wrong.
    const message = String((err && err.message) || err).split('\nCall log:')[0];
    out(message.replace(/^/gm, '     '));
    const slug = name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
    try {
      out('     screenshot: ' + (await shot('failed-' + slug)));
      // Whatever menu or input the check left open would take the next check's keys.
      await page.keyboard.press('Escape');
      await page.keyboard.press('Escape');
    } catch (_) {
      // the page is gone; the message above says why
    }
    return false;
  }
}

function expect(cond, msg) {
  if (!cond) {
    throw new Error(msg);
  }
}

// Waits until `probe()` returns a truthy value, and returns it; else fails with `what` and
// the last value seen.
async function until(what, probe, timeout = 20000) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    last = await probe();
    if (last) {
      return last;
    }
    if (Date.now() > end) {
      throw new Error(`${what} (waited ${timeout / 1000} s)`);
    }
    await page.waitForTimeout(250);
  }
}

// The text of the editor's lines on screen, by line number (Monaco renders only those).
async function editorLines() {
  return page.evaluate(() => {
    const editor = document.querySelector('.editor-instance .monaco-editor');
    if (!editor) {
      return {};
    }
    const top = (e) => Math.round(e.getBoundingClientRect().top);
    const numbers = new Map();
    for (const n of editor.querySelectorAll('.margin-view-overlays .line-numbers')) {
      numbers.set(top(n), Number(n.textContent.trim()));
    }
    const lines = {};
    for (const l of editor.querySelectorAll('.lines-content .view-lines .view-line')) {
      const n = numbers.get(top(l));
      if (n) {
        lines[n] = l.textContent.replace(/\u00a0/g, ' ');
      }
    }
    return lines;
  });
}

// Line `n` of the note as the editor shows it, the cursor moved there first.
async function lineText(n) {
  await goTo(n, 1);
  return (await editorLines())[n] || '';
}

async function problemsLabel() {
  const item = page.locator('[id="status.problems"]');
  return (await item.count()) ? (await item.getAttribute('aria-label')) || '' : '';
}

async function runCommand(title) {
  await page.keyboard.press('Control+Shift+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill('>' + title);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

async function goTo(line, column) {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await until(`the cursor at Ln ${line}, Col ${column}`, async () =>
    ((await page.locator('[id="status.editor.selection"]').textContent()) || '').includes(
      `Ln ${line}, Col ${column}`,
    ),
  );
}

async function hoverText() {
  const hover = page.locator('.monaco-hover:not(.hidden)').first();
  return (await hover.count()) && (await hover.isVisible()) ? (await hover.textContent()) || '' : '';
}

// The first line starting with `prefix` in the Notes LSP output channel, as VS Code logs it
// (a file "N-Notes LSP.log" under the user data's logs), or undefined.
function outputChannelLine(prefix) {
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/Notes LSP\.log$/.test(entry.name)) files.push(file);
    }
  };
  walk(process.env.NOTES_LSP_LOGS);
  for (const file of files) {
    const line = fs.readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith(prefix));
    if (line) return line;
  }
  return undefined;
}

async function main() {
  fs.mkdirSync(artifacts, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    // As root Chromium needs --no-sandbox; the page is our own code-server on loopback.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(20000);

    const opened = await check('the workbench loads and the note opens from Quick Open', async () => {
      await page.goto(process.env.NOTES_LSP_URL);
      await page.waitForSelector('.monaco-workbench .part.editor', { timeout: SLOW });
      // The explorer lists the folder once the window is ready for input.
      await page
        .locator('.explorer-folders-view .monaco-list-row', { hasText: NOTE })
        .waitFor({ timeout: SLOW });
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible' });
      await input.fill(NOTE);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: NOTE }).first().waitFor();
      await page.keyboard.press('Enter');
      await page.locator('.tab.active', { hasText: NOTE }).waitFor();
      await until('the note in the editor', async () =>
        ((await editorLines())[1] || '').includes('# Python interview questions'),
      );
    });
    if (!opened) {
      return;
    }

    await check('the status bar counts the broken sample and the broken link (Errors: 1, Warnings: 1)', async () => {
      await until(
        'status bar problems item reading "Errors: 1, Warnings: 1"',
        async () => /Errors: 1, Warnings: 1/.test(await problemsLabel()),
        SLOW,
      ).catch(async (err) => {
        throw new Error(`${err.message}; it reads "${await problemsLabel()}"`);
      });
    });

    await check('the broken sample is underlined and its hover says why (python-syntax)', async () => {
      const squiggle = page.locator('.editor-instance .squiggly-error').first();
      await squiggle.waitFor({ state: 'attached' });
      expect(await squiggle.boundingBox(), 'the error squiggle has no box on screen');
      // The error is on line 19 ("squares = {n * n ..."), at the brace (column 11).
      const line = await lineText(19);
      expect(line.startsWith('squares = {'), `line 19 is "${line}"`);
      await goTo(19, 11);
      // Show or Focus Hover, at the cursor.
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+I');
      const text = await until('a hover at 19:11', hoverText);
      expect(text.includes("'{' was never closed"), `the hover reads "${text}"`);
      expect(text.includes('notes-lsp(python-syntax)'), `the hover does not name the code: "${text}"`);
      out('     screenshot: ' + (await shot('diagnostic-hover')));
      await page.keyboard.press('Escape');
    });

    await check('the Problems panel lists both diagnostics with their codes and places', async () => {
      await runCommand('View: Focus Problems (Errors, Warnings, Infos)');
      const rows = page.locator('.markers-panel .monaco-list-row');
      await rows.first().waitFor();
      const labels = await until('two problems listed under the note', async () => {
        const all = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') || e.textContent));
        return all.length >= 3 ? all : null;
      });
      const joined = labels.join('\n');
      expect(
        labels.some((l) => /^Error: '\{' was never closed at line 19 and character 11\b/.test(l)),
        `no python-syntax error at 19:11 among:\n${joined}`,
      );
      expect(
        labels.some((l) => /^Warning: no heading `#how-do-you-swap-two-variable` .* at line 27 and character 32\b/.test(l)),
        `no broken-link warning at 27:32 among:\n${joined}`,
      );
      // Each row as shown: message, source, code (a link) and place.
      const shown = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      for (const [message, code, place] of [
        ["'{' was never closed", 'python-syntax', '[Ln 19, Col 11]'],
        ['no heading `#how-do-you-swap-two-variable`', 'broken-link', '[Ln 27, Col 32]'],
      ]) {
        const row = shown.find((t) => t.includes(message));
        expect(row, `no row shows "${message}":\n${shown.join('\n')}`);
        expect(
          row.includes(`notes-lsp ${code}`) && row.endsWith(place),
          `the row "${row}" does not show "notes-lsp ${code}" and "${place}"`,
        );
      }
      out('     screenshot: ' + (await shot('problems')));
      await runCommand('View: Toggle Panel Visibility');
      await page.locator('.markers-panel').waitFor({ state: 'hidden' });
    });

    await check('hover on a question heading shows its answer and the state of its sample', async () => {
      await goTo(14, 10);
      const heading = page.locator('.editor-instance .view-line', { hasText: 'What does a set comprehension' });
      const box = await heading.boundingBox();
      expect(box, 'the heading line is not on screen');
      await page.mouse.move(box.x + 120, box.y + box.height / 2);
      const text = await until('a hover over the heading', async () => {
        const t = await hoverText();
        return t.includes('question') ? t : '';
      });
      expect(text.includes('What does a set comprehension look like?'), `the hover reads "${text}"`);
      expect(text.includes('1 sample, it does not parse'), `the hover does not give the sample's state: "${text}"`);
      await page.mouse.move(5, 450);
    });

    await check('the Outline lists the note\'s sections and questions from Notes LSP', async () => {
      // The folder's pane folded, so that the outline has the side bar's height.
      const folders = page.locator('.pane', { has: page.locator('.explorer-folders-view') }).locator('.pane-header');
      if ((await folders.getAttribute('aria-expanded')) === 'true') {
        await folders.click();
      }
      await runCommand('Explorer: Focus on Outline View');
      const want = [
        'Python interview questions',
        'Data structures',
        'How do you swap two variables?',
        'What does a set comprehension look like?',
        'Functions',
        'What is a default argument evaluated against?',
        'How do you accept any number of keyword arguments?',
        'Quiz',
        'What is a list comprehension',
        // The one sample that does not parse, named so; the three that parse are only counted.
        'python sample (does not parse)',
      ];
      const labels = await until('the Notes LSP group with every section and question', async () => {
        const all = await page.$$eval('.outline-pane .monaco-list-row', (els) =>
          els.map((e) => e.getAttribute('aria-label') || e.textContent),
        );
        return all.includes('Notes LSP') && want.every((w) => all.some((l) => l.startsWith(w))) ? all : null;
      }).catch(async (err) => {
        const all = await page.$$eval('.outline-pane .monaco-list-row', (els) =>
          els.map((e) => e.getAttribute('aria-label') || e.textContent),
        );
        throw new Error(`${err.message}; the outline shows:\n${all.join('\n')}`);
      });
      expect(labels.length > 0, 'the outline is empty');
      const samples = labels.filter((l) => l.startsWith('python sample'));
      expect(samples.length === 1, `samples that parse are listed too:\n${labels.join('\n')}`);
      // `1. ### What is ...` is a question (the questions' icon), `## Quiz` a section.
      const icon = (label) =>
        page.$$eval(
          '.outline-pane .monaco-list-row',
          (els, l) => {
            const row = els.find((e) => (e.getAttribute('aria-label') || e.textContent).startsWith(l));
            const i = row && row.querySelector('.codicon[class*="codicon-symbol-"]');
            return i ? i.className : '';
          },
          label,
        );
      const [question, section, item] = await Promise.all(
        ['What does a set comprehension look like?', 'Quiz', 'What is a list comprehension'].map(icon),
      );
      expect(question && section && question !== section, `a question's icon "${question}", a section's "${section}"`);
      expect(item === question, `the list item's question has the icon "${item}", a question's is "${question}"`);
      out('     screenshot: ' + (await shot('outline')));
    });

    await check('a quick fix mends the broken link and its warning goes', async () => {
      await goTo(27, 45);
      await page.keyboard.press('Control+.');
      const title = 'Point the link at `#how-do-you-swap-two-variables`';
      const rows = page.locator('.action-widget .monaco-list-row');
      await rows.first().waitFor();
      // Walk the menu with the keyboard (it takes no clicks while it opens).
      const offered = [];
      for (let i = 0; i < 10; i++) {
        const focused = ((await page.locator('.action-widget .monaco-list-row.focused').textContent()) || '').trim();
        offered.push(focused);
        if (focused.includes(title)) {
          break;
        }
        await page.keyboard.press('ArrowDown');
      }
      expect(offered[offered.length - 1].includes(title), `"${title}" is not offered; seen: ${JSON.stringify(offered)}`);
      await page.keyboard.press('Enter');
      await until('line 27 pointing at #how-do-you-swap-two-variables', async () =>
        ((await editorLines())[27] || '').includes('[swapping](#how-do-you-swap-two-variables)'),
      );
      await until('the status bar reading "Errors: 1" and no warning', async () => {
        const label = await problemsLabel();
        return /Errors: 1\b/.test(label) && !/Warnings: [1-9]/.test(label);
      });
    });

    await check('completion after ](# offers the headings and accepting one writes its anchor', async () => {
      await goTo(38, 1);
      await page.keyboard.type('See [kwargs](#how-do-you-acc', { delay: 20 });
      await page.keyboard.press('Control+Space');
      const row = page.locator('.suggest-widget .monaco-list-row', {
        hasText: 'How do you accept any number of keyword arguments?',
      });
      await row.first().waitFor().catch(async () => {
        const offered = await page.$$eval('.suggest-widget .monaco-list-row', (els) => els.map((e) => e.textContent));
        throw new Error(`the heading is not offered; offered: ${JSON.stringify(offered)}`);
      });
      await page.keyboard.press('Enter');
      await until('line 38 completed to the anchor', async () =>
        ((await editorLines())[38] || '').startsWith(
          'See [kwargs](#how-do-you-accept-any-number-of-keyword-arguments',
        ),
      ).catch(async (err) => {
        throw new Error(`${err.message}; line 38 reads "${(await editorLines())[38]}"`);
      });
      await page.keyboard.type(')');
      // The new link resolves: still no warning.
      await page.waitForTimeout(1500);
      const label = await problemsLabel();
      expect(/Errors: 1\b/.test(label) && !/Warnings: [1-9]/.test(label), `the status bar reads "${label}"`);
    });

    if (process.env.NOTES_LSP_EXPECT_SERVER) {
      await check('the Notes LSP output channel says which server runs', async () => {
        const want = process.env.NOTES_LSP_EXPECT_SERVER;
        const line = await until(`a line "${want}..." in the Notes LSP output channel`, async () =>
          outputChannelLine(want),
        );
        out('#    ' + line);
      });
    }
  } finally {
    await browser.close();
  }
}

main()
  .catch((err) => {
    failed += 1;
    out('FAIL the UI checks ran to the end');
    out(String((err && err.stack) || err).replace(/^/gm, '     '));
  })
  .then(() => {
    out(`vscode-real: ${passed} passed, ${failed} failed`);
    process.exit(failed === 0 && passed > 0 ? 0 : 1);
  });
