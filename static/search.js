/* Client-side search: the header box on every page and the search page; no framework. The engine runs
 * where search-backend.js puts it (a Web Worker over http(s), the page itself from file://) and fetches
 * only the pieces of the index a query needs; the abstracts' text comes for the results on screen only.
 *
 * Header box: results in a dropdown as you type; ArrowDown/ArrowUp move through them, Enter opens the
 * focused one, Enter in the box opens the search page with ?q=, Escape closes. Search page: every result,
 * 20 at a time ("Show more"), a theme filter sorted by count, ?q= kept in step with the box. "/" focuses
 * the search box from anywhere.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 60;
  var DROPDOWN_SIZE = 8;
  var PAGE_SIZE = 20;
  var TYPING_SIZE = DROPDOWN_SIZE; // while typing, a screen's worth: the page of PAGE_SIZE once typing rests
  var SETTLE_MS = 400;

  var isFile = location.protocol === "file:";
  var header = document.getElementById("site-search");
  var pageInput = document.getElementById("search-page-input");
  var root = header ? header.getAttribute("data-search-root") || "" : "";

  var backend = self.sitegenSearchBackend, state = backend.state, load = backend.load, asker = backend.asker;

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

  // Text with the given [start, end) ranges in <mark>, as DOM nodes (no HTML from data is parsed).
  function highlight(text, ranges) {
    var frag = document.createDocumentFragment(), last = 0;
    ranges.forEach(function (r) {
      if (r[0] < last) return;
      frag.appendChild(document.createTextNode(text.slice(last, r[0])));
      frag.appendChild(el("mark", { text: text.slice(r[0], r[1]) }));
      last = r[1];
    });
    frag.appendChild(document.createTextNode(text.slice(last)));
    return frag;
  }

  function indexed(li, i) { li.setAttribute("data-index", String(i)); return li; }

  function paperUrl(slug) { return root + "papers/" + slug + "/" + (isFile ? "index.html" : ""); }

  function searchUrl(q) {
    return root + "search/" + (isFile ? "index.html" : "") + (q ? "?q=" + encodeURIComponent(q) : "");
  }

  function excerptOf(item) {
    return el("p", { class: "search-hit-excerpt" }, [highlight(item.excerpt.text, item.excerpt.marks)]);
  }

  function resultItem(item, id) {
    var link = el("a", { href: paperUrl(item.slug), class: "search-hit-link", id: id }, [highlight(item.title, item.titleMarks)]);
    var parts = [el("h3", { class: "search-hit-title" }, [link]), el("p", { class: "search-hit-theme", text: item.theme })];
    if (item.excerpt) parts.push(excerptOf(item));
    return el("li", { class: "search-hit" + (item.exact ? " search-hit-exact" : "") }, parts);
  }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  // The count of an answer: "about" when the engine proved the results shown without counting every
  // paper (see search-engine.js).
  function counted(answer, n, word) { return (answer.exact === false ? "about " : "") + plural(n, word); }

  function quoted(words) {
    return words.map(function (w) { return "“" + w + "”"; }).join(", ");
  }

  // What the count line says beyond the count: words that match nothing, and the fallback to papers
  // with most of the words when few or none have them all.
  function notes(answer) {
    var out = [];
    if (answer.missing.length) out.push("No paper matches " + quoted(answer.missing) + "; showing results for the other words.");
    if (answer.total > answer.complete) {
      var all = answer.phrases ? "all of the words and phrases" : "all of " + quoted(answer.words);
      out.push(answer.complete === 0
        ? "No paper has " + all + "; showing papers with most of them."
        : "Only " + plural(answer.complete, "paper") + " " + (answer.complete === 1 ? "has " : "have ") + all + "; then papers with most of them.");
    }
    return out.join(" ");
  }

  // The one "no results" block: what to try, a spelling suggestion as a link, and where to browse.
  function noResults(answer) {
    var tips = [document.createTextNode("Try other or fewer words, or ")];
    tips.push(el("a", { href: root + (isFile ? "index.html" : "") + "#themes", text: "browse the themes" }));
    tips.push(document.createTextNode("."));
    var parts = [];
    if (answer.suggestion) {
      parts.push(el("p", {}, [document.createTextNode("Did you mean "),
        el("a", { href: searchUrl(answer.suggestion), class: "search-suggestion", text: answer.suggestion }),
        document.createTextNode("?")]));
    }
    parts.push(el("p", {}, tips));
    return el("div", { class: "search-empty" }, parts);
  }

  // ArrowDown in a box focuses the first result; in the list, ArrowDown/ArrowUp move one link, and
  // ArrowUp from the first goes back to the box that was used. One handler per list.
  function arrowKeys(inputs, list) {
    var last = inputs[0];
    inputs.forEach(function (input) {
      input.addEventListener("keydown", function (e) {
        if (e.key !== "ArrowDown") return;
        var first = list.querySelector("a");
        if (first) { e.preventDefault(); last = input; first.focus(); }
      });
    });
    list.addEventListener("keydown", function (e) {
      if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
      var links = Array.prototype.slice.call(list.querySelectorAll("a.search-hit-link, a.search-all"));
      var i = links.indexOf(document.activeElement);
      if (i < 0) return;
      e.preventDefault();
      if (e.key === "ArrowDown") (links[i + 1] || links[i]).focus();
      else if (i === 0) last.focus();
      else links[i - 1].focus();
    });
  }

  // Re-render (when the full index replaces the titles one) without losing the user's place in the list.
  function keepFocus(list, render) {
    var links = list.querySelectorAll("a");
    var at = Array.prototype.indexOf.call(links, document.activeElement);
    return Promise.resolve(render()).then(function () {
      if (at < 0) return;
      var again = list.querySelectorAll("a");
      if (again.length) (again[at] || again[again.length - 1]).focus();
    });
  }

  function debounce(fn) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, DEBOUNCE_MS);
    };
  }

  function loadingStatus() {
    return state.error ? "Search could not load its index (" + state.error.message + ")." : "Loading the search index…";
  }

  /* ---------- the search page ---------- */

  function searchPage(input) {
    var status = document.getElementById("search-status");
    var filter = document.getElementById("search-themes");
    var list = document.getElementById("search-list");
    var more = el("button", { type: "button", class: "search-more", hidden: "" });
    list.parentNode.insertBefore(more, list.nextSibling);
    var params = new URLSearchParams(location.search);
    var theme = params.get("theme") || "";
    var ask = asker(), shown = 0, current = null;
    var waiting = []; // results scrolled into view, their excerpts not asked for yet
    var watcher = typeof IntersectionObserver === "function" ? new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) { watcher.unobserve(e.target); waiting.push(Number(e.target.getAttribute("data-index"))); }
      });
      if (waiting.length) excerpts(current);
    }) : null;

    // Results from index `from` on, shown without excerpts: watched, to get theirs once on screen, so
    // that only the abstracts of results a reader sees are fetched.
    function watch(from) {
      if (!watcher) return;
      Array.prototype.slice.call(list.querySelectorAll("li[data-index]"), from).forEach(function (li) {
        if (!li.querySelector(".search-hit-excerpt")) watcher.observe(li);
      });
    }

    function excerpts(asked) {
      var from = Math.min.apply(null, waiting), to = Math.max.apply(null, waiting);
      waiting = [];
      // A request of its own (not the latest-wins asker): a later batch must not replace this one.
      asker()({ raw: asked.raw, theme: theme, from: from, count: to - from + 1, excerpts: true }, function (answer) {
        if (current !== asked) return;
        answer.items.forEach(function (item, i) {
          var li = list.querySelector('li[data-index="' + (from + i) + '"]');
          if (li && item.excerpt && !li.querySelector(".search-hit-excerpt")) li.appendChild(excerptOf(item));
        });
      });
    }
    input.value = params.get("q") || "";
    if (header) header.value = input.value;

    function keepUrl() {
      var q = input.value;
      var query = (q ? "?q=" + encodeURIComponent(q) : "") + (theme ? (q ? "&" : "?") + "theme=" + encodeURIComponent(theme) : "");
      try {
        history.replaceState(null, "", location.pathname + query);
      } catch (error) { /* some browsers refuse replaceState on file:// */ }
    }

    // "All" first, then the themes with results, the most results first (ties in the site's order).
    function renderFilter(answer) {
      filter.textContent = "";
      var options = answer.themes.map(function (t, i) { return [t[0], t[1], answer.counts[i] || 0, i]; })
        .filter(function (o) { return o[2] > 0; })
        .sort(function (a, b) { return b[2] - a[2] || a[3] - b[3]; });
      [["", "All", answer.totalAll]].concat(options).forEach(function (o) {
        filter.appendChild(el("button", { type: "button", class: "search-theme", "aria-pressed": String(o[0] === theme), "data-theme": o[0] }, [
          document.createTextNode(o[1] + " "),
          el("span", { class: "search-theme-count", text: "(" + (answer.exact === false ? "about " : "") + o[2] + ")" })
        ]));
      });
      filter.hidden = options.length < 2;
    }

    function statusText(answer, raw) {
      var named = answer.themes.filter(function (t) { return t[0] === theme; })[0];
      var where = named ? " in " + named[1] : "";
      return counted(answer, answer.total, "result") + where + " for “" + raw.trim() + "”." + (notes(answer) ? " " + notes(answer) : "");
    }

    // While the query is being typed, a keystroke's results are quick (the index's first tiers; see
    // search-engine.js), a screen of them and without excerpts (their text would be fetched for every
    // keystroke's results); once typing rests for SETTLE_MS, the page is shown again in full, and the
    // excerpts of the results on screen are fetched.
    var settling = null;
    function typed() {
      clearTimeout(settling);
      settling = setTimeout(function () { keepFocus(list, run); }, SETTLE_MS);
      return run(false);
    }

    function run(withExcerpts) {
      var raw = input.value;
      keepUrl();
      if (!raw.trim()) {
        list.textContent = "";
        status.textContent = "";
        filter.hidden = true;
        more.hidden = true;
        return null;
      }
      if (!state.ready) { status.textContent = loadingStatus(); return null; }
      var started = performance.now();
      return new Promise(function (resolve) {
        if (watcher) watcher.disconnect();
        var excerpted = withExcerpts !== false && !watcher; // else asked for once on screen
        var quick = withExcerpts === false;
        ask({ raw: raw, theme: theme, from: 0, count: quick ? TYPING_SIZE : PAGE_SIZE, excerpts: excerpted, quick: quick }, function (answer) {
          if (answer.raw !== input.value) { resolve(); return; }
          current = answer;
          list.textContent = "";
          renderFilter(answer);
          if (!answer.total) {
            status.textContent = "No results for “" + raw.trim() + "”.";
            list.appendChild(el("li", { class: "search-hit search-hit-none" }, [noResults(answer)]));
          } else {
            status.textContent = statusText(answer, raw);
            answer.items.forEach(function (item, i) { list.appendChild(indexed(resultItem(item, "search-hit-" + i), i)); });
            if (withExcerpts !== false) watch(0);
          }
          shown = answer.items.length;
          showMore(answer);
          var timings = self.sitegenSearchTimings;
          if (answer.total && !timings.firstResults) timings.firstResults = performance.now() - timings.requested;
          // For the benchmark: what each query took, from asking to its results on the page.
          timings.shown = (timings.shown || []).concat([[raw, performance.now() - started, withExcerpts !== false]]);
          resolve();
        });
      });
    }

    function showMore(answer) {
      // An estimated count may fall short: more is offered until a page comes back short.
      var left = answer.total - shown, unsure = answer.exact === false && !answer.ended;
      more.hidden = left <= 0 && !unsure;
      more.textContent = left > 0
        ? "Show " + Math.min(PAGE_SIZE, left) + " more (" + shown + " of " + counted(answer, answer.total, "result").replace(/ results?$/, "") + " shown)"
        : "Show more (" + shown + " shown)";
    }

    more.addEventListener("click", function () {
      var asked = current;
      ask({ raw: asked.raw, theme: theme, from: shown, count: PAGE_SIZE, excerpts: watcher ? 0 : true }, function (answer) {
        if (current !== asked) return;
        var firstNew = null, from = shown;
        answer.items.forEach(function (item, i) {
          var li = indexed(resultItem(item, "search-hit-" + (shown + i)), shown + i);
          firstNew = firstNew || li.querySelector("a");
          list.appendChild(li);
        });
        shown += answer.items.length;
        watch(from);
        asked.total = answer.total;
        asked.exact = answer.exact;
        asked.ended = answer.items.length < PAGE_SIZE;
        showMore(asked);
        if (firstNew) firstNew.focus();
      });
    });

    filter.addEventListener("click", function (e) {
      var button = e.target.closest("button[data-theme]");
      if (!button) return;
      theme = button.getAttribute("data-theme");
      Promise.resolve(run()).then(function () {
        var again = filter.querySelector('button[data-theme="' + CSS.escape(theme) + '"]');
        if (again) again.focus();
      });
    });
    var later = debounce(typed);
    input.addEventListener("input", function () {
      if (header) header.value = input.value;
      later();
    });
    input.form.addEventListener("submit", function (e) { e.preventDefault(); clearTimeout(settling); run(); });
    arrowKeys(header ? [input, header] : [input], list);
    if (header) {
      // On this page the header box drives the page's results rather than a dropdown.
      header.addEventListener("input", function () { input.value = header.value; later(); });
      header.form.addEventListener("submit", function (e) {
        e.preventDefault();
        clearTimeout(settling);
        input.value = header.value;
        run();
        input.focus();
      });
    }
    backend.listeners.push(function () {
      if (state.error) { status.textContent = loadingStatus(); return; }
      keepFocus(list, run); // the excerpts follow, for the results on screen
    });
    if (input.value) {
      status.textContent = loadingStatus();
      input.focus(); // arrived from a search box (Enter): ↓ goes on to the results from here
    }
    load();
    self.sitegenSearchRun = run; // for tests and the benchmark: resolves once the results are shown
  }

  /* ---------- the header box on every other page ---------- */

  function headerBox(input) {
    var form = input.form;
    var panel = el("div", { class: "search-dropdown", id: "site-search-panel", hidden: "" });
    var status = el("p", { class: "search-dropdown-status", role: "status", "aria-live": "polite" });
    var list = el("ul", { class: "search-dropdown-list", id: "site-search-list" });
    var ask = asker();
    panel.appendChild(status);
    panel.appendChild(list);
    form.appendChild(panel);
    input.setAttribute("aria-controls", "site-search-list");
    input.setAttribute("aria-expanded", "false");

    function open(yes) {
      panel.hidden = !yes;
      input.setAttribute("aria-expanded", String(yes));
    }

    // quick while typing (see the search page's run); once typing rests, asked again in full.
    function run(quick) {
      var raw = input.value;
      if (!raw.trim()) { list.textContent = ""; status.textContent = ""; open(false); return; }
      open(true);
      if (!state.ready) { list.textContent = ""; status.textContent = state.error ? "Search is unavailable." : "Loading…"; return; }
      ask({ raw: raw, from: 0, count: DROPDOWN_SIZE, excerpts: false, quick: quick === true }, function (answer) {
        if (answer.raw !== input.value) return;
        list.textContent = "";
        if (!answer.total) {
          status.textContent = "No results.";
          list.appendChild(el("li", { class: "search-hit search-hit-none" }, [noResults(answer)]));
          return;
        }
        status.textContent = counted(answer, answer.total, "result") + (notes(answer) ? ". " + notes(answer) : "");
        answer.items.forEach(function (item, i) { list.appendChild(resultItem(item, "site-search-hit-" + i)); });
        list.appendChild(el("li", { class: "search-hit" }, [
          el("a", { class: "search-all", href: searchUrl(raw), text: "All " + counted(answer, answer.total, "result") + " →" })
        ]));
      });
    }

    var later = debounce(function () { run(true); }), settling = null;
    input.addEventListener("focus", load);
    input.addEventListener("input", function () {
      load();
      later();
      clearTimeout(settling);
      settling = setTimeout(run, SETTLE_MS);
    });
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
    arrowKeys([input], list);
    backend.listeners.push(function () {
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
})();
