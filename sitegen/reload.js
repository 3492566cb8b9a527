// sitegen serve's reload client: added to each HTML page as it is served, never written to the site.
// It listens to the server's event stream (its URL is on this script's tag, data-events) and reloads the
// page when a rebuild changed the site, or shows the build's problems over the page when one failed.
// Problem text goes in with textContent: a file name or message can hold markup and must never run.
(() => {
  "use strict";
  const me = document.currentScript;
  if (!me) return;
  const since = me.dataset.generation || "";
  let overlay = null;

  function styled(tag, css, text) {
    const element = document.createElement(tag);
    element.style.cssText = css;
    if (text) element.textContent = text;
    return element;
  }

  function makeOverlay() {
    const box = styled("div", "position:fixed;inset:0 0 auto 0;z-index:2147483647;max-height:80vh;" +
      "overflow:auto;margin:0;padding:1rem 1.25rem;background:#2b0b0b;color:#fff;" +
      "font:14px/1.5 ui-monospace,monospace;border-bottom:4px solid #ff6b6b;");
    box.id = "sitegen-error-overlay";
    box.setAttribute("role", "alert");
    const close = styled("button", "margin-top:.5rem;font:inherit;", "Dismiss");
    close.type = "button";
    close.addEventListener("click", () => { box.hidden = true; });
    box.append(
      styled("h2", "margin:0 0 .5rem;font-size:1.1rem;color:#fff;", "sitegen: the site did not build"),
      styled("pre", "margin:0;white-space:pre-wrap;color:#fff;"),
      styled("p", "margin:.5rem 0 0;color:#ffd6d6;", "Fix the file and save: this page reloads by itself."),
      close,
    );
    document.body.append(box);
    return box;
  }

  function show(problems) {
    overlay = overlay || makeOverlay();
    overlay.querySelector("pre").textContent = problems.join("\n");
    overlay.hidden = false;
  }

  const events = new EventSource(me.dataset.events + "?since=" + encodeURIComponent(since));
  events.addEventListener("reload", () => { events.close(); location.reload(); });
  events.addEventListener("data", () => {  // a new search index: only a search page shows it
    if (document.getElementById("search-page-input")) { events.close(); location.reload(); }
  });
  events.addEventListener("error", (event) => {
    if (event instanceof MessageEvent && event.data) show(JSON.parse(event.data).problems);
  });
})();
