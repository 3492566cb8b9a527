/* Runs static/search-engine.js in node over a folder of search files (what sitegen writes to
 * site/static/search/), for tests/test_search_shards.py:
 *   node tests/search_engine_node.js SEARCH_DIR < requests.json > answers.json
 * requests: [{raw, theme, from, count, excerpts}]; each answer as search.js would receive it, plus the
 * score of every hit shown. Pieces are read from disk as the page's <script> tags would load them.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const [searchDir] = process.argv.slice(2);
const repo = path.resolve(__dirname, "..");
globalThis.self = globalThis;
for (const file of [
  path.join(repo, "node_modules", "lunr", "lunr.min.js"),
  path.join(repo, "static", "search-text.js"),
  path.join(repo, "static", "search-store.js"),
  path.join(repo, "static", "search-query.js"),
  path.join(repo, "static", "search-proof.js"),
  path.join(repo, "static", "search-engine.js"),
]) {
  vm.runInThisContext(fs.readFileSync(file, "utf8"), { filename: file });
}

function load(file, name) {
  vm.runInThisContext(fs.readFileSync(file, "utf8"));
  const payload = self.sitegenSearch[name];
  delete self.sitegenSearch[name];
  return payload;
}

const catalog = load(path.join(searchDir, "catalog.js"), "catalog");
const fetched = [];
const engine = sitegenSearchEngine.open(catalog, (kind, number) => {
  fetched.push(kind + "/" + number);
  return Promise.resolve(load(path.join(searchDir, kind, number + ".js"), kind + number));
});

(async () => {
  const requests = JSON.parse(fs.readFileSync(0, "utf8"));
  const answers = [];
  for (const request of requests) {
    const answer = await engine.answer(request);
    const theme = engine.themeNumber(request.theme);
    const result = engine.search(request.raw, (request.from || 0) + request.count, theme, request.quick);
    answer.scores = result.hits.slice(0, request.count).map((h) => [h.doc, h.tier, h.score]);
    answers.push(answer);
  }
  process.stdout.write(JSON.stringify({ answers, fetched: fetched.length }));
})().catch((error) => {
  process.stderr.write(String(error && error.stack) + "\n");
  process.exit(1);
});
