/* The /my/ page: the reading list kept by mylist.js, with read/unread filters, progress per theme,
 * exports (BibTeX, Markdown, CSV, JSON), import of a JSON export, and a read-only share link
 * (my/?papers=slug1,slug2). The list shows at once from what was stored when each paper was saved; then
 * my/papers.js (self.sitegenList: titles, themes, theme sizes) brings it up to date, so a paper re-filed or
 * retitled since shows as it is now, and my/bibtex.js (self.sitegenBibtex) follows for the BibTeX export.
 * Both are loaded with <script> tags, so file:// works.
 */
(function () {
  "use strict";

  var my = self.sitegenMyList;
  var app = document.getElementById("my-list");
  if (!my || !app) return;
  var data = null; // self.sitegenList, once loaded
  var themes = {};

  function $(id) { return document.getElementById(id); }

  // Text that did not change is not written again: a new text node would be painted (and measured) anew.
  function setText(element, text) {
    if (element.textContent !== text) element.textContent = text;
  }

  function paperUrl(slug) {
    return new URL(my.root + "papers/" + slug + "/" + (my.isFile ? "index.html" : ""), location.href).href;
  }

  // What the page shows of a saved paper: as the site knows it now, else as it was saved.
  function describe(slug, entry) {
    var known = data && data.papers[slug];
    var bibtex = self.sitegenBibtex && self.sitegenBibtex[slug];
    return {
      slug: slug,
      title: known ? known[0] : (entry && entry.title) || slug,
      theme: known ? known[1] : (entry && entry.theme) || "",
      bibtex: bibtex || "",
      read: !!(entry && entry.read),
      at: entry ? entry.at : 0,
      known: !data || !!known, // until the data is here, what was saved is taken as it is
    };
  }

  function saved() {
    var papers = my.list().papers;
    return Object.keys(papers)
      .map(function (slug) { return describe(slug, papers[slug]); })
      .sort(function (a, b) { return b.at - a.at || (a.slug < b.slug ? -1 : 1); });
  }

  function themeTitle(slug) {
    return themes[slug] ? themes[slug].title : slug;
  }

  /* ---------- the list ---------- */

  function item(paper, withToggles) {
    var li = document.createElement("li");
    li.className = "my-item" + (paper.read ? " is-read" : "");
    var link = document.createElement(paper.known ? "a" : "span");
    if (paper.known) link.href = paperUrl(paper.slug);
    link.textContent = paper.title;
    li.appendChild(link);
    var meta = document.createElement("span");
    meta.className = "my-meta";
    meta.textContent = paper.known ? themeTitle(paper.theme) : "no longer on this site";
    li.appendChild(meta);
    if (withToggles) {
      var holder = document.createElement("span");
      holder.className = "mylist";
      holder.setAttribute("data-paper", paper.slug);
      holder.setAttribute("data-theme", paper.theme);
      holder.setAttribute("data-title", paper.title);
      li.appendChild(holder);
    }
    return li;
  }

  function filter() {
    var checked = app.querySelector("input[name=my-filter]:checked");
    return checked ? checked.value : "all";
  }

  function showList() {
    var papers = saved();
    var chosen = papers.filter(function (p) {
      return filter() === "all" || (filter() === "read") === p.read;
    });
    var ul = $("my-papers");
    ul.textContent = "";
    chosen.forEach(function (paper) { ul.appendChild(item(paper, true)); });
    var read = papers.filter(function (p) { return p.read; }).length;
    setText($("my-count"), papers.length
      ? papers.length + (papers.length === 1 ? " paper" : " papers") + " saved, " + read + " read"
        + (filter() === "all" ? "" : "; showing " + chosen.length)
      : "Nothing saved yet: use the Save button on any paper.");
  }

  function showProgress() {
    if (!data) return;
    var counts = {};
    saved().forEach(function (paper) {
      var c = counts[paper.theme] || (counts[paper.theme] = { saved: 0, read: 0 });
      c.saved += 1;
      if (paper.read) c.read += 1;
    });
    var ul = $("my-progress");
    ul.textContent = "";
    data.themes.forEach(function (theme) {
      var c = counts[theme[0]];
      if (!c) return;
      var li = document.createElement("li");
      var name = document.createElement("span");
      name.className = "my-progress-theme";
      name.textContent = theme[1];
      var bar = document.createElement("progress");
      bar.max = theme[2];
      bar.value = c.read;
      bar.setAttribute("aria-label", theme[1]);
      var text = document.createElement("span");
      text.textContent = c.read + " of " + theme[2] + " read (" + c.saved + " saved)";
      li.append(name, bar, text);
      ul.appendChild(li);
    });
    $("my-progress-empty").hidden = ul.children.length > 0;
  }

  /* ---------- exports ---------- */

  function download(name, type, text) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type: type }));
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  function csvField(value) {
    var text = String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text; // a spreadsheet would run it as a formula
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function markdownText(text) {
    return text.replace(/([\\`*_[\]<>#|])/g, "\\$1");
  }

  // Built without the site's address, an entry's url is a path from the host's root: make it whole here.
  function bibtexWithUrl(paper) {
    if (my.isFile) return paper.bibtex;
    return paper.bibtex.replace(/^( {2}url = \{)\/[^}]*\}/m, function (all, start) {
      return start + paperUrl(paper.slug) + "}";
    });
  }

  var EXPORTS = {
    bibtex: ["reading-list.bib", "application/x-bibtex", function (papers) {
      return papers.filter(function (p) { return p.bibtex; }).map(bibtexWithUrl).join("\n");
    }],
    markdown: ["reading-list.md", "text/markdown", function (papers) {
      var lines = ["# My reading list", ""];
      papers.forEach(function (p) {
        lines.push("- [" + (p.read ? "x" : " ") + "] [" + markdownText(p.title) + "](<" + paperUrl(p.slug) + ">) "
          + "(" + markdownText(themeTitle(p.theme)) + ")");
      });
      return lines.join("\n") + "\n";
    }],
    csv: ["reading-list.csv", "text/csv", function (papers) {
      var rows = [["title", "url", "theme", "read", "slug"]];
      papers.forEach(function (p) {
        rows.push([p.title, paperUrl(p.slug), themeTitle(p.theme), p.read ? "yes" : "no", p.slug]);
      });
      return rows.map(function (row) { return row.map(csvField).join(","); }).join("\r\n") + "\r\n";
    }],
    json: ["reading-list.json", "application/json", function () {
      return JSON.stringify(my.list(), null, 1) + "\n";
    }],
  };

  var bibtexLoaded = null;

  function loadBibtex() {
    bibtexLoaded = bibtexLoaded || self.sitegenInject(my.root + "my/bibtex.js");
    return bibtexLoaded;
  }

  // The entries are wanted only for an export: fetched when the pointer or focus comes near the buttons.
  var exportButtons = app.querySelector(".my-actions");
  ["pointerenter", "focusin", "touchstart"].forEach(function (type) {
    exportButtons.addEventListener(type, loadBibtex, { once: true, passive: true });
  });

  app.querySelectorAll("[data-export]").forEach(function (b) {
    b.addEventListener("click", function () {
      var spec = EXPORTS[b.getAttribute("data-export")];
      var ready = spec[0].slice(-4) === ".bib" && !self.sitegenBibtex ? loadBibtex() : Promise.resolve();
      ready.then(function () { download(spec[0], spec[1], spec[2](saved())); });
    });
  });

  /* ---------- import ---------- */

  function merge(incoming) {
    var current = my.list();
    var next = { version: current.version, papers: Object.assign({}, current.papers) };
    Object.keys(incoming.papers).forEach(function (slug) {
      var mine = next.papers[slug];
      var theirs = incoming.papers[slug];
      next.papers[slug] = mine ? Object.assign({}, mine, { read: mine.read || theirs.read }) : theirs;
    });
    return next;
  }

  $("my-import").addEventListener("change", function (event) {
    var file = event.target.files[0];
    var status = $("my-import-status");
    if (!file) return;
    file.text().then(function (text) {
      var parsed = null;
      try { parsed = my.cleaned(JSON.parse(text)); } catch (error) { parsed = null; }
      if (!parsed) {
        status.textContent = file.name + " is not a reading list exported from this site (JSON).";
        return;
      }
      my.replace(merge(parsed));
      var count = Object.keys(parsed.papers).length;
      status.textContent = "Imported " + count + (count === 1 ? " paper" : " papers") + " from " + file.name + ".";
      event.target.value = "";
    });
  });

  /* ---------- share ---------- */

  function shareUrl(slugs) {
    var url = new URL(my.root + "my/" + (my.isFile ? "index.html" : ""), location.href);
    return url.href + "?papers=" + slugs.join(",");
  }

  $("my-share").addEventListener("click", function () {
    var output = $("my-share-url");
    output.value = shareUrl(saved().map(function (p) { return p.slug; }));
    output.hidden = false;
    output.select();
  });

  function showShared(slugs) {
    var section = $("my-shared");
    var ul = $("my-shared-papers");
    slugs.forEach(function (slug) { ul.appendChild(item(describe(slug, null), false)); });
    $("my-shared-count").textContent = slugs.length + (slugs.length === 1 ? " paper" : " papers") + " in this list.";
    $("my-shared-save").addEventListener("click", function () {
      slugs.forEach(function (slug) {
        var paper = describe(slug, my.list().papers[slug]);
        if (paper.known && !my.list().papers[slug]) my.save(slug, paper.theme, paper.title, false);
      });
      $("my-shared-status").textContent = "Saved to your list.";
    });
    section.hidden = false;
  }

  /* ---------- start ---------- */

  var shared = new URLSearchParams(location.search).get("papers");
  var loaded = self.sitegenInject(my.root + "my/papers.js").then(function () {
    data = self.sitegenList;
    data.themes.forEach(function (theme) { themes[theme[0]] = { title: theme[1], total: theme[2] }; });
  });
  if (shared !== null) {
    var slugs = shared.split(",").filter(function (s, i, all) {
      return my.slugPattern.test(s) && all.indexOf(s) === i;
    });
    app.hidden = true; // someone else's list: not this reader's
    loaded.then(function () { showShared(slugs); });
    return;
  }
  app.querySelectorAll("input[name=my-filter]").forEach(function (input) {
    input.addEventListener("change", showList);
  });
  my.onChange(function () { showList(); showProgress(); });
  $("my-readonly").hidden = !my.readOnly();
  my.refresh();
  loaded.then(function () {
    my.refresh();
    app.setAttribute("data-ready", ""); // the list is drawn from the site's data: for scripts and tests
  });
})();
