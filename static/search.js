/* Client-side search: lazy-loads lunr.js and the prebuilt index (sitegen/search.py), no framework.
 *
 * Data files are loaded with <script> tags, not fetch(), so search also works from file://.
 * Two tiers: titles.js (title index + what a result shows) answers first; full.js (titles, abstracts,
 * themes, tags + excerpts) replaces it when it arrives; text.js (abstracts' full text) is loaded only
 * when a query has a quoted phrase, to check the exact phrase.
 *
 * Header box (every page): results appear in a dropdown as you type; ArrowDown/ArrowUp move through
 * them, Enter opens the focused one; Enter in the box opens the search page with ?q=; Escape closes.
 * Search page: the same engine renders every result, a theme filter with counts and a live count, and
 * keeps ?q= in step with the box. "/" focuses the search box from anywhere.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 60;
  var DROPDOWN_SIZE = 8;
  var PAGE_SIZE = 20;
  var MIN_PREFIX = 2; // a one-letter prefix matches most of the index: slow and useless

  var tag = document.currentScript;
  var urls = { lunr: tag.getAttribute("data-lunr") }; // the index files' come from the manifest
  var manifestUrl = tag.getAttribute("data-manifest");
  var isFile = location.protocol === "file:";
  var header = document.getElementById("site-search");
  var pageInput = document.getElementById("search-page-input");
  var root = header ? header.getAttribute("data-search-root") || "" : "";

  /* ---------- loading ---------- */

  var engine = null; // {index, tier, docs, themes, excerpts}
  var loading = null;
  var fullText = null; // abstracts, for phrase checks
  var loadingText = null;
  var listeners = [];

  function inject(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.async = true;
      s.onload = resolve;
      s.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(s);
    });
  }

  function data(name) {
    return (self.sitegenSearch || {})[name];
  }

  // Load once; the titles tier answers first, the full tier follows without blocking the page.
  function load() {
    if (loading) return loading;
    var started = performance.now();
    self.sitegenSearchTimings = { requested: started };
    var lib = inject(urls.lunr);
    // The manifest names the current versions of the index files; a time query keeps any cache from
    // answering with an old one (it is tiny), while the files it names are cached by their versions.
    var manifest = inject(manifestUrl + "?t=" + Date.now()).then(function () {
      var m = data("manifest");
      ["titles", "full", "text"].forEach(function (name) { urls[name] = root + m[name]; });
    });
    loading = Promise.all([lib, manifest.then(function () { return inject(urls.titles); })]).then(function () {
      return buildIndex(data("titles"));
    }).then(function (index) {
      var t = data("titles");
      engine = { index: index, tier: "titles", docs: t.docs, themes: t.themes, excerpts: null };
      self.sitegenSearchTimings.titlesReady = performance.now() - started;
      notify();
      return inject(urls.full);
    }).then(function () {
      return buildIndex(data("full"));
    }).then(function (index) {
      engine = { index: index, tier: "full", docs: engine.docs, themes: engine.themes, excerpts: data("full").excerpts };
      self.sitegenSearchTimings.fullReady = performance.now() - started;
      notify();
    });
    loading.catch(function (error) {
      listeners.forEach(function (fn) { fn(error); });
    });
    return loading;
  }

  function loadText() {
    if (!loadingText) {
      loadingText = load().then(function () { return inject(urls.text); }).then(function () { fullText = data("text").text; notify(); });
      loadingText.catch(function () { /* phrases are then checked against titles and excerpts */ });
    }
  }

  function notify() {
    listeners.forEach(function (fn) { fn(null); });
  }

  // Building an index is split into slices of a few milliseconds with a yield to the event loop
  // between them, so typing, scrolling and clicks go on while a large index loads ("never freezes").
  var SLICE_MS = self.sitegenSearchSliceMs !== undefined ? self.sitegenSearchSliceMs : 8; // 0 in tests: yield after every step
  var channel = new MessageChannel(); // a message yields without setTimeout's 4 ms clamp
  var resumes = [];
  channel.port1.onmessage = function () { resumes.shift()(); };
  function pause() {
    return new Promise(function (resolve) { resumes.push(resolve); channel.port2.postMessage(null); });
  }

  // step(i) for i in 0..count-1, yielding whenever a slice has used its time.
  function inSlices(count, step) {
    var i = 0;
    function run() {
      var end = performance.now() + SLICE_MS;
      while (i < count) {
        step(i++);
        if (performance.now() >= end) return pause().then(run);
      }
    }
    return Promise.resolve().then(run);
  }

  // Rebuild what lunr.Index.load would get from a serialized index: same BM25 formula and rounding
  // as lunr's Builder, from the term frequencies sitegen/search.py ships. Resolves to a lunr.Index.
  var NO_METADATA = Object.freeze({}); // lunr only reads (copies) posting metadata; one object serves all
  function buildIndex(p) {
    var fields = p.fields.map(function (f) { return f[0]; });
    var terms = p.terms;
    var n = p.vectors[fields[0]].length;
    var inverted = Object.create(null);
    var postings = new Array(terms.length);
    var withTerm = new Uint32Array(terms.length);
    var decoded = {};
    var idf = new Float64Array(terms.length);
    var vectors = Object.create(null);
    var sorted = terms.slice().sort(); // TokenSet needs JavaScript's sort order (UTF-16), not Python's
    var tokens = new lunr.TokenSet.Builder();

    function decode(name, doc) {
      var encoded = p.vectors[name][doc];
      var numbers = [], tfs = [], number = 0, length = 0;
      for (var i = 0; i < encoded.length; i++) {
        var v = encoded[i];
        if (v < 0) { tfs[tfs.length - 1] = -v; length += -v - 1; continue; }
        number += v;
        numbers.push(number); tfs.push(1); length += 1;
        postings[number][name][doc] = NO_METADATA;
        withTerm[number] += 1;
      }
      decoded[name].total += length;
      decoded[name][doc] = { numbers: numbers, tfs: tfs, length: length };
    }

    function vectorOf(field, doc) {
      var name = field[0], boost = field[1], d = decoded[name][doc];
      var elements = new Array(d.numbers.length * 2);
      var norm = p.k1 * (1 - p.b + p.b * (d.length / (decoded[name].total / n)));
      for (var i = 0; i < d.numbers.length; i++) {
        var tf = d.tfs[i];
        var score = (idf[d.numbers[i]] * ((p.k1 + 1) * tf)) / (norm + tf) * boost;
        elements[2 * i] = d.numbers[i];
        elements[2 * i + 1] = Math.round(score * 1000) / 1000;
      }
      vectors[name + "/" + doc] = new lunr.Vector(elements);
    }

    var steps = [
      inSlices.bind(null, terms.length, function (i) {
        var posting = { _index: i };
        fields.forEach(function (f) { posting[f] = {}; });
        inverted[terms[i]] = postings[i] = posting;
      })
    ];
    fields.forEach(function (name) {
      decoded[name] = { total: 0 };
      steps.push(inSlices.bind(null, n, function (doc) { decode(name, doc); }));
    });
    steps.push(inSlices.bind(null, terms.length, function (t) {
      idf[t] = Math.log(1 + Math.abs((n - withTerm[t] + 0.5) / (withTerm[t] + 0.5)));
    }));
    p.fields.forEach(function (field) {
      steps.push(inSlices.bind(null, n, function (doc) { vectorOf(field, doc); }));
    });
    steps.push(inSlices.bind(null, sorted.length, function (i) { tokens.insert(sorted[i]); }));
    return steps.reduce(function (done, step) { return done.then(step); }, Promise.resolve()).then(function () {
      tokens.finish();
      return new lunr.Index({
        invertedIndex: inverted,
        fieldVectors: vectors,
        tokenSet: tokens.root,
        fields: fields,
        pipeline: lunr.Pipeline.load(["stemmer"])
      });
    });
  }

  /* ---------- querying ---------- */

  function normalise(text) {
    return (text || "").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }

  function words(text) {
    // lunr's tokenizer splits on whitespace and hyphens; its trimmer drops surrounding punctuation.
    return text.toLowerCase().split(/[\s\-]+/).map(function (w) {
      return w.replace(/^[^\p{L}\p{N}_]+/u, "").replace(/[^\p{L}\p{N}_]+$/u, "");
    }).filter(Boolean);
  }

  var stems = new Map();
  function stem(word) {
    var s = stems.get(word);
    if (s === undefined) {
      s = lunr.stemmer(new lunr.Token(word)).toString();
      stems.set(word, s);
    }
    return s;
  }

  function isStopWord(word) {
    return !lunr.stopWordFilter(new lunr.Token(word));
  }

  // "a b "c d" e" -> phrases ["c d"], groups for a, b, c, d, e; the last group is a prefix when the
  // user is still typing it (no trailing space, not inside a closed phrase).
  function parse(raw) {
    var phrases = [];
    var rest = raw.replace(/"([^"]*)"?/g, function (_, phrase) {
      if (words(phrase).length > 1) phrases.push(normalise(phrase));
      return " " + phrase + " ";
    });
    var all = words(rest);
    var typing = !/[\s"]$/.test(raw);
    var groups = [];
    all.forEach(function (w, i) {
      var last = typing && i === all.length - 1;
      if (last && w.length < MIN_PREFIX) return;
      if (!last && isStopWord(w)) return;
      groups.push({ word: w, stem: stem(w), prefix: last });
    });
    return { groups: groups, phrases: phrases, exact: normalise(raw.replace(/"/g, " ")) };
  }

  function groupMatches(group, term) {
    if (term === group.stem) return true;
    return group.prefix && (term.indexOf(group.word) === 0 || term.indexOf(group.stem) === 0);
  }

  // Every group must match some term of the document (AND). A whole word is one required clause, so
  // lunr scores only the documents that have all of them. The word being typed stays optional (lunr
  // would union the documents of every term it expands to, once per term); the filter below keeps the
  // documents that match it too. Clauses are built in code, never parsed from the user's text, so
  // lunr's query syntax can never raise an error.
  function search(raw) {
    var parsed = parse(raw);
    if (!engine || !parsed.groups.length) return { query: parsed, hits: [] };
    if (parsed.phrases.length && !fullText) loadText();
    var E = lunr.Query.wildcard, P = lunr.Query.presence;
    var results;
    try {
      results = engine.index.query(function (q) {
        parsed.groups.forEach(function (g) {
          q.term(g.stem, { usePipeline: false, presence: g.prefix ? P.OPTIONAL : P.REQUIRED });
          if (g.prefix) {
            // The same clause twice would only double lunr's work (and the weight of prefix matches).
            if (g.word !== g.stem) q.term(g.word, { usePipeline: false, wildcard: E.TRAILING, presence: P.OPTIONAL });
            q.term(g.stem, { usePipeline: false, wildcard: E.TRAILING, presence: P.OPTIONAL });
          }
        });
      });
    } catch (error) {
      results = [];
    }
    var hits = [];
    results.forEach(function (r) {
      var matched = Object.keys(r.matchData.metadata);
      var all = parsed.groups.every(function (g) {
        return matched.some(function (term) { return groupMatches(g, term); });
      });
      if (!all) return;
      var doc = +r.ref;
      if (parsed.phrases.length) {
        var text = fullText ? fullText[doc] : engine.excerpts ? engine.excerpts[doc] : "";
        var haystack = " " + normalise(engine.docs[doc][0] + " " + text) + " ";
        if (!parsed.phrases.every(function (ph) { return haystack.indexOf(" " + ph + " ") >= 0; })) return;
      }
      var exact = normalise(engine.docs[doc][0]) === parsed.exact;
      hits.push({ doc: doc, score: r.score + (exact ? 1e6 : 0), exact: exact });
    });
    hits.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
    return { query: parsed, hits: hits };
  }

  /* ---------- rendering ---------- */

  function el(name, attrs, children) {
    var node = document.createElement(name);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function wordMatches(word, query) {
    var w = word.toLowerCase();
    var s = stem(w);
    return query.groups.some(function (g) {
      return s === g.stem || (g.prefix && w.indexOf(g.word) === 0);
    });
  }

  // Text with the matched words wrapped in <mark>, built as DOM nodes (no HTML from data is parsed).
  function highlight(text, query) {
    var frag = document.createDocumentFragment();
    var re = /[\p{L}\p{N}_]+/gu, last = 0, m;
    while ((m = re.exec(text))) {
      if (wordMatches(m[0], query)) {
        frag.appendChild(document.createTextNode(text.slice(last, m.index)));
        frag.appendChild(el("mark", { text: m[0] }));
        last = m.index + m[0].length;
      }
    }
    frag.appendChild(document.createTextNode(text.slice(last)));
    return frag;
  }

  function paperUrl(slug) {
    return root + "papers/" + slug + "/" + (isFile ? "index.html" : "");
  }

  function searchUrl(q) {
    return root + "search/" + (isFile ? "index.html" : "") + (q ? "?q=" + encodeURIComponent(q) : "");
  }

  function resultItem(hit, query, id, withExcerpt) {
    var d = engine.docs[hit.doc];
    var theme = engine.themes[d[2]];
    var link = el("a", { href: paperUrl(d[1]), class: "search-hit-link", id: id }, [highlight(d[0], query)]);
    var parts = [
      el("h3", { class: "search-hit-title" }, [link]),
      el("p", { class: "search-hit-theme", text: theme[1] })
    ];
    if (withExcerpt && engine.excerpts) {
      parts.push(el("p", { class: "search-hit-excerpt" }, [highlight(engine.excerpts[hit.doc], query)]));
    }
    return el("li", { class: "search-hit" + (hit.exact ? " search-hit-exact" : "") }, parts);
  }

  function plural(n, word) {
    return n + " " + word + (n === 1 ? "" : "s");
  }

  function noResults(raw) {
    return el("div", { class: "search-empty" }, [
      el("p", { class: "search-empty-title", text: "No results for “" + raw.trim() + "”." }),
      el("p", { text: "Every word must match. Try fewer or shorter words, check the spelling, or browse the themes." })
    ]);
  }

  // Arrow keys move focus through the result links of a list; ArrowUp from the first returns to the box.
  function arrowKeys(input, list) {
    input.addEventListener("keydown", function (e) {
      if (e.key !== "ArrowDown") return;
      var first = list.querySelector("a");
      if (first) { e.preventDefault(); first.focus(); }
    });
    list.addEventListener("keydown", function (e) {
      if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
      var links = Array.prototype.slice.call(list.querySelectorAll("a.search-hit-link, a.search-all"));
      var i = links.indexOf(document.activeElement);
      if (i < 0) return;
      e.preventDefault();
      if (e.key === "ArrowDown") (links[i + 1] || links[i]).focus();
      else if (i === 0) input.focus();
      else links[i - 1].focus();
    });
  }

  // Re-render (when the full index replaces the titles one) without losing the user's place in the list.
  function keepFocus(list, render) {
    var links = list.querySelectorAll("a");
    var at = Array.prototype.indexOf.call(links, document.activeElement);
    render();
    if (at >= 0) {
      var again = list.querySelectorAll("a");
      (again[at] || again[again.length - 1] || document.body).focus();
    }
  }

  function debounce(fn) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, DEBOUNCE_MS);
    };
  }

  /* ---------- the search page ---------- */

  function searchPage(input) {
    var status = document.getElementById("search-status");
    var filter = document.getElementById("search-themes");
    var list = document.getElementById("search-list");
    var params = new URLSearchParams(location.search);
    var theme = params.get("theme") || "";
    input.value = params.get("q") || "";
    if (header) header.value = input.value;

    function keepUrl() {
      var q = input.value;
      var query = (q ? "?q=" + encodeURIComponent(q) : "") + (theme ? (q ? "&" : "?") + "theme=" + encodeURIComponent(theme) : "");
      try {
        history.replaceState(null, "", location.pathname + query);
      } catch (error) { /* some browsers refuse replaceState on file:// */ }
    }

    function renderFilter(counts, total) {
      filter.textContent = "";
      var options = [["", "All", total]].concat(engine.themes.map(function (t, i) {
        return [t[0], t[1], counts[i] || 0];
      }).filter(function (o) { return o[2] > 0; }));
      options.forEach(function (o) {
        var button = el("button", { type: "button", class: "search-theme", "aria-pressed": String(o[0] === theme), "data-theme": o[0] }, [
          document.createTextNode(o[1] + " "),
          el("span", { class: "search-theme-count", text: "(" + o[2] + ")" })
        ]);
        filter.appendChild(button);
      });
      filter.hidden = options.length <= 2;
    }

    function run() {
      var raw = input.value;
      keepUrl();
      list.textContent = "";
      if (!raw.trim()) {
        status.textContent = engine ? "" : "";
        filter.hidden = true;
        return;
      }
      if (!engine) { status.textContent = "Loading the search index…"; return; }
      var result = search(raw);
      var counts = {};
      var themeNumber = -1;
      engine.themes.forEach(function (t, i) { if (t[0] === theme) themeNumber = i; });
      result.hits.forEach(function (h) { var n = engine.docs[h.doc][2]; counts[n] = (counts[n] || 0) + 1; });
      var shown = themeNumber < 0 ? result.hits : result.hits.filter(function (h) { return engine.docs[h.doc][2] === themeNumber; });
      renderFilter(counts, result.hits.length);
      if (!shown.length) {
        list.appendChild(el("li", { class: "search-hit" }, [noResults(raw)]));
        status.textContent = "No results for “" + raw.trim() + "”.";
      } else {
        shown.slice(0, PAGE_SIZE).forEach(function (h, i) {
          list.appendChild(resultItem(h, result.query, "search-hit-" + i, true));
        });
        status.textContent = plural(shown.length, "result") + (themeNumber >= 0 ? " in " + engine.themes[themeNumber][1] : "") +
          (shown.length > PAGE_SIZE ? ", showing the first " + PAGE_SIZE : "") + " for “" + raw.trim() + "”.";
      }
      var timings = self.sitegenSearchTimings;
      if (timings && shown.length && !timings.firstResults) timings.firstResults = performance.now() - timings.requested;
    }

    filter.addEventListener("click", function (e) {
      var button = e.target.closest("button[data-theme]");
      if (!button) return;
      theme = button.getAttribute("data-theme");
      run();
      var again = filter.querySelector('button[data-theme="' + CSS.escape(theme) + '"]');
      if (again) again.focus();
    });
    var later = debounce(run);
    input.addEventListener("input", function () {
      if (header) header.value = input.value;
      later();
    });
    input.form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
    arrowKeys(input, list);
    if (header) {
      // On this page the header box drives the page's results rather than a dropdown.
      header.addEventListener("input", function () { input.value = header.value; later(); });
      header.form.addEventListener("submit", function (e) { e.preventDefault(); input.value = header.value; run(); });
      arrowKeys(header, list);
    }
    listeners.push(function (error) {
      if (error) { status.textContent = "Search could not load its index (" + error.message + ")."; return; }
      keepFocus(list, run);
    });
    if (input.value) status.textContent = "Loading the search index…";
    load();
    self.sitegenSearchRun = run; // for the benchmark: one search + render, synchronously
  }

  /* ---------- the header box on every other page ---------- */

  function headerBox(input) {
    var form = input.form;
    var panel = el("div", { class: "search-dropdown", id: "site-search-panel", hidden: "" });
    var status = el("p", { class: "search-dropdown-status", role: "status", "aria-live": "polite" });
    var list = el("ul", { class: "search-dropdown-list", id: "site-search-list" });
    panel.appendChild(status);
    panel.appendChild(list);
    form.appendChild(panel);
    input.setAttribute("aria-controls", "site-search-list");
    input.setAttribute("aria-expanded", "false");

    function open(yes) {
      panel.hidden = !yes;
      input.setAttribute("aria-expanded", String(yes));
    }

    function run() {
      var raw = input.value;
      list.textContent = "";
      if (!raw.trim()) { status.textContent = ""; open(false); return; }
      open(true);
      if (!engine) { status.textContent = "Loading…"; return; }
      var result = search(raw);
      if (!result.hits.length) {
        status.textContent = "";
        list.appendChild(el("li", {}, [noResults(raw)]));
        status.appendChild(document.createTextNode("No results."));
        return;
      }
      status.textContent = plural(result.hits.length, "result");
      result.hits.slice(0, DROPDOWN_SIZE).forEach(function (h, i) {
        list.appendChild(resultItem(h, result.query, "site-search-hit-" + i, false));
      });
      list.appendChild(el("li", { class: "search-hit" }, [
        el("a", { class: "search-all", href: searchUrl(raw), text: "All " + plural(result.hits.length, "result") + " →" })
      ]));
    }

    var later = debounce(run);
    input.addEventListener("focus", load);
    input.addEventListener("input", function () { load(); later(); });
    form.addEventListener("submit", function (e) {
      // The search page, with the query; from disk a folder URL would show a listing, so name the file.
      e.preventDefault();
      location.href = searchUrl(input.value);
    });
    form.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { open(false); input.focus(); }
    });
    form.addEventListener("focusout", function (e) {
      if (!form.contains(e.relatedTarget)) open(false);
    });
    input.addEventListener("click", function () { if (input.value.trim()) run(); });
    arrowKeys(input, list);
    listeners.push(function (error) {
      if (error) { status.textContent = "Search is unavailable."; return; }
      if (!panel.hidden) keepFocus(list, run);
    });
  }

  /* ---------- wiring ---------- */

  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var box = pageInput || header;
    if (box) { e.preventDefault(); box.focus(); box.select(); }
  });

  if (pageInput) searchPage(pageInput);
  else if (header) headerBox(header);

  self.sitegenSearchApi = { load: load, search: search, buildIndex: buildIndex };
})();
