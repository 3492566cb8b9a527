/* The search engine (search-engine.js) off the page's main thread: search-backend.js starts this worker
 * when the site is served over http(s), so scoring a query never holds up typing.
 * Messages in: {load: {lunr, text, store, query, proof, engine, catalog}} once, then requests (see
 * Engine.prototype.answer). Out: {ready: true}, {error}, and one answer per request.
 */
"use strict";

var engine = null;

// A piece of the index, read as the JSON its script assigns (pieces are fetched side by side, which
// importScripts would do one after another).
function fetchScript(url) {
  return fetch(url).then(function (response) {
    if (!response.ok) throw new Error("could not load " + url);
    return response.text();
  }).then(function (script) {
    return JSON.parse(script.slice(script.indexOf("]=") + 2, script.lastIndexOf(";")));
  });
}

function load(urls) {
  importScripts(urls.lunr, urls.text, urls.store, urls.query, urls.proof, urls.engine);
  fetchScript(urls.catalog).then(function (catalog) {
    engine = sitegenSearchEngine.open(catalog, function (kind, number) {
      return fetchScript(sitegenSearchStore.url(urls.catalog, kind, number, catalog.versions));
    });
    self.postMessage({ ready: true });
  }).catch(function (error) {
    self.postMessage({ error: String((error && error.message) || error) });
  });
}

self.onmessage = function (event) {
  var msg = event.data;
  if (msg.load) { load(msg.load); return; }
  if (!engine) { self.postMessage({ id: msg.id, notReady: true }); return; }
  engine.answer(msg).then(function (answer) {
    self.postMessage(answer);
  }).catch(function (error) {
    self.postMessage({ id: msg.id, error: String((error && error.message) || error) });
  });
};
