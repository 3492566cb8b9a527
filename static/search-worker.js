/* The search engine (search-engine.js) off the page's main thread: search.js starts this worker when
 * the site is served over http(s), so building a large index and scoring a query never hold up typing.
 * Messages in: {load: {lunr, engine, titles, full, text: [...]}} once, then requests (see
 * Engine.prototype.answer). Out: {ready: "titles" | "full"}, {error}, and one answer per request.
 */
"use strict";

var engine = null;
var urls = null;
var text = {}; // text chunk number -> abstracts

function data(name) {
  return (self.sitegenSearch || {})[name];
}

// Text chunks are fetched side by side (importScripts would take them one after another) and read as
// the JSON their script assigns.
function loadText(chunks) {
  return Promise.all(chunks.filter(function (k) { return !text[k]; }).map(function (k) {
    return fetch(urls.text[k]).then(function (response) {
      if (!response.ok) throw new Error("could not load " + urls.text[k]);
      return response.text();
    }).then(function (script) {
      text[k] = JSON.parse(script.slice(script.indexOf("]=") + 2, script.lastIndexOf(";"))).text;
    });
  }));
}

function allAtOnce(count, step) {
  for (var i = 0; i < count; i++) step(i);
  return Promise.resolve();
}

function load(given) {
  urls = given;
  importScripts(urls.lunr, urls.engine, urls.titles);
  var titles = data("titles");
  var meta = { docs: titles.docs, themes: titles.themes, text: text };
  sitegenSearchEngine.build([titles], allAtOnce, meta).then(function (built) {
    engine = built;
    self.postMessage({ ready: "titles" });
    importScripts(urls.full);
    meta.full = data("full");
    return sitegenSearchEngine.build([titles, meta.full], allAtOnce, meta);
  }).then(function (built) {
    engine = built;
    self.postMessage({ ready: "full" });
  }).catch(function (error) {
    self.postMessage({ error: String((error && error.message) || error) });
  });
}

self.onmessage = function (event) {
  var msg = event.data;
  if (msg.load) { load(msg.load); return; }
  if (!engine) { self.postMessage({ id: msg.id, notReady: true }); return; }
  engine.answer(msg, loadText).then(function (answer) {
    self.postMessage(answer);
  }).catch(function (error) {
    self.postMessage({ id: msg.id, error: String((error && error.message) || error) });
  });
};
