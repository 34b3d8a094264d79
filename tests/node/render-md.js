// render-md.js FILE: print FILE's Markdown as HTML, rendered as GitHub does
// (GitHub-flavoured Markdown: tables, raw HTML such as <details>).
const fs = require('fs');
const { marked } = require('marked');
process.stdout.write(marked.parse(fs.readFileSync(process.argv[2], 'utf8'), { gfm: true }));
