#!/usr/bin/env node
// Parse Mermaid charts with mermaid's own parser, in one Node process for many charts.
//
//   node parse.mjs          < charts.json  ->  [null | "error message", ...]
//   node parse.mjs --shape  < charts.json  ->  [shape | "error message", ...]
//
// stdin: a JSON array of chart texts. stdout: a JSON array of the same length, in order.
// A shape is what the parser understood of a flowchart: its nodes (id, the text a reader sees,
// the HTML elements of the label, classes), edges (start, end, stroke, text, linkStyle
// declarations) and subgraphs (id, title, node ids). Exit 0 when every chart was read (a chart that fails is an entry, not an
// exit code), 2 when stdin is not a JSON array of strings. Used by tests/helpers/mermaid.py.
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

// mermaid's DOMPurify needs a window when mermaid is imported: without one, every valid
// flowchart fails ("DOMPurify.addHook is not a function") while broken ones fail too.
const { window } = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = window;
globalThis.document = window.document;

const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });

const charts = JSON.parse(readFileSync(0, 'utf8'));
if (!Array.isArray(charts) || !charts.every((c) => typeof c === 'string')) {
  process.stderr.write('parse.mjs: stdin must be a JSON array of strings\n');
  process.exit(2);
}
const wantShape = process.argv.includes('--shape');

// The parser keeps "#34;"-style entity codes as private markers; the renderer turns them back
// into HTML entities. Do the same, then read the label as HTML, as the picture shows it.
function label(raw) {
  const html = String(raw ?? '')
    .replace(/\uFB02\u00B0\u00B0(\d+)\u00B6\u00DF/g, '&#$1;')
    .replace(/\uFB02\u00B0(\w+)\u00B6\u00DF/g, '&$1;');
  const box = document.createElement('div');
  box.innerHTML = html;
  return { text: box.textContent, tags: [...box.querySelectorAll('*')].map((e) => e.localName) };
}

function shape(diagram) {
  const db = diagram.db;
  if (typeof db.getVertices !== 'function') return { type: diagram.type };
  return {
    type: diagram.type,
    nodes: [...db.getVertices().values()].map((v) => ({
      id: v.id, ...label(v.text), classes: [...(v.classes ?? [])],
    })),
    edges: db.getEdges().map((e) => ({
      start: e.start, end: e.end, stroke: e.stroke, text: label(e.text).text,
      style: [...(e.style ?? [])],
    })),
    subgraphs: db.getSubGraphs().map((s) => ({
      id: s.id, title: label(s.title).text, nodes: [...s.nodes],
    })),
  };
}

const results = [];
for (const chart of charts) {
  try {
    await mermaid.parse(chart); // throws on any error, as rendering would
    results.push(wantShape ? shape(await mermaid.mermaidAPI.getDiagramFromText(chart)) : null);
  } catch (err) {
    results.push(String(err?.message ?? err) || 'unknown error');
  }
}
process.stdout.write(JSON.stringify(results) + '\n');
