// Every fenced code block of the notes given as markdown-it (CommonMark) sees it, one JSON
// object per line: {"file", "start", "last", "closed"}: 1-based lines of the opening fence
// and of the block's last non-blank line, and whether a closing fence ends it (CommonMark
// otherwise ends a fence with its container: a list item, a block quote, the document).
// Usage: node scripts/fence_reference.mjs FILE...   (needs markdown-it@14; NODE_PATH may
// point at its node_modules)
import fs from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(process.env.NODE_PATH ? process.env.NODE_PATH + '/' : import.meta.url);
const MarkdownIt = require('markdown-it');

const md = new MarkdownIt('commonmark');

// A line without its container prefixes (block quote markers and indentation).
const bare = (line) => line.replace(/^(\s*>)*\s*/, '');

for (const file of process.argv.slice(2)) {
  let src;
  try {
    src = fs.readFileSync(file, 'utf8');
  } catch {
    continue;
  }
  const lines = src.split(/\r\n|\r|\n/);
  for (const t of md.parse(src, {})) {
    if (t.type !== 'fence' || !t.map) continue;
    const [start, end] = t.map;
    let last = end - 1;
    while (last > start && bare(lines[last] ?? '') === '') last--;
    const closing = bare(lines[last] ?? '');
    const mark = t.markup[0];
    const closed =
      last > start &&
      closing.startsWith(t.markup) &&
      [...closing.trimEnd()].every((c) => c === mark);
    console.log(JSON.stringify({ file, start: start + 1, last: last + 1, closed }));
  }
}
