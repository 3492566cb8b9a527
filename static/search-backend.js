/* Where the search engine runs, for search.js: in a Web Worker (search-worker.js) when the site is served
 * over http(s), so typing never waits for it; opened from disk (file://, where a page may not start
 * workers), on the page itself, its pieces loaded with <script> tags. Either way nothing is fetched until
 * a search box is used: then the manifest (always fresh) names the catalog's version, the catalog says
 * where every piece of the index is, and each query fetches only the pieces it needs.
 */
(function () {
  "use strict";

  var tag = document.currentScript;
  var isFile = location.protocol === "file:";
  function absolute(url) { return new URL(url, location.href).href; }
  var urls = {
    lunr: absolute(tag.getAttribute("data-lunr")),
    text: absolute(tag.getAttribute("data-text")),
    store: absolute(tag.getAttribute("data-store")),
    query: absolute(tag.getAttribute("data-query")),
    proof: absolute(tag.getAttribute("data-proof")),
    engine: absolute(tag.getAttribute("data-engine"))
  };
  var state = { ready: false, error: null };
  var listeners = [];
  var backend = null;
  var loading = null;

  function data(name) {
    var payload = (self.sitegenSearch || {})[name];
    delete self.sitegenSearch[name]; // kept by the engine from here on
    return payload;
  }

  function notify() { listeners.forEach(function (fn) { fn(); }); }

  function ready() {
    state.ready = true;
    self.sitegenSearchTimings.fullReady = performance.now() - self.sitegenSearchTimings.requested;
    notify();
  }

  function failed(error) {
    state.error = error;
    notify();
  }

  // The worker: requests by id; the answers come back in any order.
  function workerBackend(worker) {
    var waiting = {}, next = 1;
    worker.onmessage = function (event) {
      var msg = event.data;
      if (msg.ready) ready();
      else if (msg.id && waiting[msg.id]) {
        var done = waiting[msg.id];
        delete waiting[msg.id];
        if (msg.error) done.reject(new Error(msg.error)); else done.resolve(msg);
      } else if (msg.error) failed(new Error(msg.error));
    };
    worker.onerror = function (event) { event.preventDefault(); failed(new Error(event.message || "the search worker failed")); };
    return {
      start: function () { worker.postMessage({ load: urls }); },
      request: function (msg) {
        return new Promise(function (resolve, reject) {
          msg.id = next++;
          waiting[msg.id] = { resolve: resolve, reject: reject };
          worker.postMessage(msg);
        });
      }
    };
  }

  // Here on the page: the same engine, its pieces loaded as scripts.
  function pageBackend() {
    var engine = null, versions = null;
    function fetchPiece(kind, number) {
      var url = sitegenSearchStore.url(urls.catalog, kind, number, versions);
      return self.sitegenInject(url).then(function () { return data(kind + number); });
    }
    return {
      start: function () {
        Promise.all([self.sitegenInject(urls.lunr), self.sitegenInject(urls.catalog)]).then(function () {
          return self.sitegenInject(urls.text);
        }).then(function () {
          return Promise.all([self.sitegenInject(urls.store), self.sitegenInject(urls.query), self.sitegenInject(urls.proof)]);
        }).then(function () {
          return self.sitegenInject(urls.engine);
        }).then(function () {
          var catalog = data("catalog");
          versions = catalog.versions;
          engine = sitegenSearchEngine.open(catalog, fetchPiece);
          ready();
        }).catch(failed);
      },
      request: function (msg) { return engine.answer(msg); }
    };
  }

  function load() {
    if (loading) return loading;
    self.sitegenSearchTimings = { requested: performance.now() };
    // The manifest names the current version of the catalog; a time query keeps any cache from
    // answering with an old one (it is tiny), while the files it names are cached by their versions.
    loading = self.sitegenInject(absolute(tag.getAttribute("data-manifest")) + "?t=" + Date.now()).then(function () {
      urls.catalog = absolute((tag.getAttribute("data-root") || "") + data("manifest").catalog);
      backend = null;
      if (!isFile && typeof Worker === "function") {
        try { backend = workerBackend(new Worker(tag.getAttribute("data-worker"))); } catch (error) { backend = null; }
      }
      backend = backend || pageBackend();
      backend.start();
    });
    loading.catch(failed);
    return loading;
  }

  // The latest query wins: while one runs, a newer request waits and replaces any older waiting one.
  function asker() {
    var busy = false, queued = null;
    function send(msg, done) {
      busy = true;
      backend.request(msg).then(function (answer) {
        if (!answer.notReady) done(answer);
      }, function (error) { failed(error); }).then(function () {
        busy = false;
        if (queued) { var q = queued; queued = null; send(q[0], q[1]); }
      });
    }
    return function (msg, done) {
      if (busy) queued = [msg, done];
      else send(msg, done);
    };
  }

  function whenReady() {
    return load().then(function () {
      return new Promise(function (resolve, reject) {
        (function wait() {
          if (state.error) reject(state.error);
          else if (state.ready) resolve();
          else setTimeout(wait, 10);
        })();
      });
    });
  }

  self.sitegenSearchBackend = { load: load, state: state, listeners: listeners, asker: asker };
  // For tests and the benchmark: one request, answered as the page would be.
  self.sitegenSearchApi = {
    load: load,
    state: state,
    query: function (raw, options) {
      options = options || {};
      return whenReady().then(function () {
        return backend.request({ raw: raw, theme: options.theme || "", from: options.from || 0, count: options.count || 20, excerpts: !!options.excerpts });
      });
    }
  };
})();
