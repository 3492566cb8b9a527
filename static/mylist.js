/* My reading list: "Save" and "Read" toggles kept in this browser (localStorage), no account, no server.
 *
 * Pages carry empty <span class="mylist" data-paper="slug" data-theme="theme"> placeholders; this script
 * fills them with real buttons (aria-pressed), so without JavaScript there is nothing to press.
 * The list is stored under one key per site (its root URL's path), as versioned JSON:
 *   {"version": 1, "papers": {"<slug>": {"read": bool, "theme": "<slug>", "title": "...", "at": ms}}}
 * A list written by a newer version of this script is shown (what this version understands of it) but
 * never overwritten.
 * The /my/ page (static/mylist-page.js) lists it with filters, progress per theme, exports and a share link.
 * From file://, folder links ("papers/x/") are pointed at their index.html, which a browser cannot guess.
 */
(function () {
  "use strict";

  var VERSION = 1;
  var SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
  var tag = document.currentScript;
  var root = tag.getAttribute("data-root") || "";
  var isFile = location.protocol === "file:";
  var rootUrl = new URL(root || "./", location.href);
  var storageKey = "sitegen-reading-list:" + rootUrl.pathname;

  /* ---------- storage ---------- */

  function emptyList() {
    return { version: VERSION, papers: {} };
  }

  function validEntry(entry) {
    return entry && typeof entry === "object" && typeof entry.read === "boolean";
  }

  // Keeps only well-formed entries: the stored text may come from another version of this script or a
  // hand-edited import. A newer version's list is read for the fields this version knows.
  function cleaned(list) {
    var result = emptyList();
    if (!list || typeof list !== "object" || !(list.version >= VERSION) || !list.papers
        || typeof list.papers !== "object") {
      return null;
    }
    Object.keys(list.papers || {}).forEach(function (slug) {
      var entry = list.papers[slug];
      if (SLUG.test(slug) && validEntry(entry)) {
        result.papers[slug] = {
          read: entry.read,
          theme: typeof entry.theme === "string" ? entry.theme : "",
          title: typeof entry.title === "string" ? entry.title : slug,
          at: typeof entry.at === "number" ? entry.at : 0,
        };
      }
    });
    return result;
  }

  var readOnly = false; // set when the stored list comes from a newer version

  function load() {
    var text = null;
    try {
      text = localStorage.getItem(storageKey);
    } catch (error) {
      return emptyList(); // storage disabled: the toggles still work for this page view
    }
    if (!text) return emptyList();
    try {
      var parsed = JSON.parse(text);
      if (parsed && typeof parsed.version === "number" && parsed.version > VERSION) {
        readOnly = true;
      }
      return cleaned(parsed) || emptyList();
    } catch (error) {
      return emptyList();
    }
  }

  function store(list) {
    if (readOnly) return;
    try {
      localStorage.setItem(storageKey, JSON.stringify(list));
    } catch (error) {
      /* full or disabled storage: the list lives as long as the page */
    }
  }

  var list = load();

  function entryFor(element) {
    return list.papers[element.getAttribute("data-paper")];
  }

  function save(slug, theme, title, read) {
    var entry = list.papers[slug];
    list.papers[slug] = {
      read: read,
      theme: theme || (entry && entry.theme) || "",
      title: title || (entry && entry.title) || slug,
      at: entry ? entry.at : Date.now(),
    };
  }

  /* ---------- toggles ---------- */

  function button(label, kind) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "toggle toggle-" + kind;
    b.setAttribute("data-toggle", kind);
    b.textContent = label;
    return b;
  }

  function titleOf(holder) {
    return holder.getAttribute("data-title") || holder.getAttribute("data-paper");
  }

  function toggle(holder, kind) {
    var slug = holder.getAttribute("data-paper");
    var entry = list.papers[slug];
    if (kind === "save") {
      if (entry) delete list.papers[slug];
      else save(slug, holder.getAttribute("data-theme"), titleOf(holder), false);
    } else {
      // Marking a paper read keeps it in the list; so does marking it unread.
      save(slug, holder.getAttribute("data-theme"), titleOf(holder), !(entry && entry.read));
    }
    store(list);
    refresh();
  }

  function enhance(holder) {
    if (holder.firstChild) return;
    var saveButton = button("Save", "save");
    var readButton = button("Read", "read");
    var title = titleOf(holder);
    saveButton.setAttribute("aria-label", "Save " + title);
    readButton.setAttribute("aria-label", "Read: " + title);
    saveButton.addEventListener("click", function () { toggle(holder, "save"); });
    readButton.addEventListener("click", function () { toggle(holder, "read"); });
    holder.appendChild(saveButton);
    holder.appendChild(readButton);
  }

  function showToggles() {
    document.querySelectorAll(".mylist[data-paper]").forEach(function (holder) {
      enhance(holder);
      var entry = entryFor(holder);
      holder.querySelector("[data-toggle=save]").setAttribute("aria-pressed", String(!!entry));
      holder.querySelector("[data-toggle=read]").setAttribute("aria-pressed", String(!!(entry && entry.read)));
    });
  }

  /* ---------- progress on the home and theme pages ---------- */

  function readIn(theme) {
    var data = self.sitegenList;
    return Object.keys(list.papers).filter(function (slug) {
      var known = data && data.papers[slug];
      return list.papers[slug].read && (known ? known[1] : list.papers[slug].theme) === theme;
    }).length;
  }

  function showProgress() {
    var any = Object.keys(list.papers).length > 0;
    document.querySelectorAll("[data-progress-theme]").forEach(function (element) {
      var total = element.getAttribute("data-total");
      element.textContent = any ? readIn(element.getAttribute("data-progress-theme")) + " of " + total + " read" : "";
      element.hidden = !any;
    });
  }

  /* ---------- links from disk ---------- */

  // A relative link to a folder ("../papers/x/", "", "../#themes") names its index.html.
  function pointAtIndex(href) {
    if (/^(?:[a-z][a-z0-9+.-]*:|\/|#|\?)/i.test(href)) return null;
    var match = /^([^?#]*)(.*)$/.exec(href);
    var path = match[1];
    if (path !== "" && path.slice(-1) !== "/" && path !== "." && path !== "..") return null;
    if (path === "." || path === "..") path += "/";
    return path + "index.html" + match[2];
  }

  function fixFolderLinks() {
    document.querySelectorAll("a[href]").forEach(function (a) {
      var fixed = pointAtIndex(a.getAttribute("href"));
      if (fixed !== null) a.setAttribute("href", fixed);
    });
    document.querySelectorAll("form[action]").forEach(function (form) {
      var fixed = pointAtIndex(form.getAttribute("action"));
      if (fixed !== null) form.setAttribute("action", fixed);
    });
  }

  /* ---------- copy buttons (the Cite block) ---------- */

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    var area = document.createElement("textarea"); // file:// and plain http: the older way
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var done = document.execCommand("copy");
    area.remove();
    return done ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function enableCopyButtons() {
    document.querySelectorAll("button[data-copy]").forEach(function (b) {
      var source = document.getElementById(b.getAttribute("data-copy"));
      var status = b.parentNode.querySelector(".copy-status");
      if (!source) return;
      b.hidden = false;
      b.addEventListener("click", function () {
        copyText(source.textContent).then(
          function () { if (status) status.textContent = "Copied."; },
          function () { if (status) status.textContent = "Select the text above and copy it."; }
        );
      });
    });
  }

  /* ---------- everything that shows the list ---------- */

  var listeners = [];

  // Listeners first: the /my/ page draws its list, whose toggles are then filled in.
  function refresh() {
    listeners.forEach(function (listener) { listener(); });
    showToggles();
    showProgress();
  }

  // Another tab changed the list.
  window.addEventListener("storage", function (event) {
    if (event.key === storageKey) {
      list = load();
      refresh();
    }
  });

  self.sitegenMyList = {
    root: root,
    isFile: isFile,
    slugPattern: SLUG,
    list: function () { return list; },
    replace: function (next) { list = next; store(list); refresh(); },
    cleaned: cleaned,
    readOnly: function () { return readOnly; },
    onChange: function (listener) { listeners.push(listener); },
    refresh: refresh,
    save: function (slug, theme, title, read) { save(slug, theme, title, read); store(list); refresh(); },
  };

  if (isFile) fixFolderLinks();
  enableCopyButtons();
  refresh();
})();
