// The anchors GitHub gives a note's headings, by github-slugger (the slugger GitHub's own
// rules are published as) over markdown-it's rendering of each heading (CommonMark, with
// GitHub's emoji shortcodes). Prints one JSON object per heading:
//   {"file", "line" (1-based), "source" (the heading as written), "text" (as rendered), "anchor"}
// Usage: node scripts/slug_reference.mjs FILE...   (needs: npm install github-slugger@2
// markdown-it@14 markdown-it-emoji@3; NODE_PATH may point at their node_modules)
import fs from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(process.env.NODE_PATH ? process.env.NODE_PATH + '/' : import.meta.url);
const GithubSlugger = require('github-slugger').default ?? require('github-slugger');
const MarkdownIt = require('markdown-it');
const { full: emoji } = require('markdown-it-emoji');

const md = new MarkdownIt({ html: true, linkify: false }).use(emoji);

// The text content of an inline token list as a browser would read it from GitHub's HTML:
// tags dropped, images (an <img>) without text, code kept verbatim.
function text(tokens) {
  let out = '';
  let inImage = 0;
  for (const t of tokens) {
    if (t.type === 'image') continue;
    switch (t.type) {
      case 'text': case 'code_inline': out += t.content; break;
      case 'emoji': out += t.content; break;
      case 'softbreak': case 'hardbreak': out += '\n'; break;
      case 'html_inline': break;
      default: break;
    }
  }
  return out;
}

for (const file of process.argv.slice(2)) {
  const src = fs.readFileSync(file, 'utf8');
  const lines = src.split(/\r?\n/);
  const slugger = new GithubSlugger();
  let tokens;
  try { tokens = md.parse(src, {}); } catch (e) { continue; }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type !== 'heading_open') continue;
    const inline = tokens[i + 1];
    const plain = text(inline.children || []);
    const anchor = slugger.slug(plain);
    const line = t.map ? t.map[0] : -1;
    const source = t.map ? lines.slice(t.map[0], t.map[1]).join('\n') : '';
    process.stdout.write(JSON.stringify({ file, line: line + 1, source, text: plain, anchor }) + "\n");
  }
}
