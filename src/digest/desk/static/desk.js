// The editor's desk: drag and drop, the preview's views, copying the HTML, and keeping the
// page in step. Everything else is plain forms enhanced by htmx (they work without this).
(function () {
  "use strict";
  // The preview's view, kept across updates: its size, dark or not, and which pane.
  const view = { size: "desktop", dark: false, pane: "email" };
  let focusWanted = null; // the control to focus again after the workspace is replaced
  // This page's own requests in flight (not the status poll), by their XMLHttpRequest:
  // counted by the request's own end, as htmx's afterRequest cannot tell them apart (for a
  // swapped-out element it is sent again from an ancestor, which becomes its detail.elt,
  // so a poll's answer looked like the page's own; or from nowhere, if no ancestor is
  // left in the page).
  const pending = new Set();
  // This page's id: the desk tells this page's own quick successive changes (a click right
  // after a drag) from another window's, which must not be overwritten.
  const tab = (window.crypto && crypto.randomUUID) ? crypto.randomUUID()
    : String(Math.random()).slice(2);

  function workspace() { return document.getElementById("workspace"); }

  function submitOrder(evt) {
    const form = document.getElementById("order-form");
    if (!form || (evt.from === evt.to && evt.oldIndex === evt.newIndex)) return;
    const keys = (list) => Array.from(list.querySelectorAll(":scope > li[data-key]"))
      .map((li) => li.dataset.key).join(",");
    form.elements.key.value = evt.item.dataset.key;
    form.elements.section.value = evt.to.dataset.section;
    form.elements.keys.value = keys(evt.to);
    form.elements.source.value = evt.from.dataset.section;
    form.elements.source_keys.value = keys(evt.from);
    focusWanted = { key: evt.item.dataset.key, op: "up" };
    form.requestSubmit();
  }

  function setupSortables(root) {
    if (typeof Sortable === "undefined") return;
    root.querySelectorAll("ol.sortable").forEach((list) => {
      if (list.dataset.sortable) return;
      list.dataset.sortable = "1";
      Sortable.create(list, {
        group: "sections",
        handle: ".handle",
        draggable: "li[data-key]",
        animation: 120,
        forceFallback: true,
        onEnd: submitOrder,
      });
    });
  }

  function showView(name) {
    if (name === "desktop" || name === "phone") { view.size = name; view.pane = "email"; }
    else if (name === "dark") { view.dark = !view.dark; view.pane = "email"; }
    else if (name === "text" || name === "checks") { view.pane = name; }
    render();
  }

  function render() {
    const frame = document.getElementById("preview-frame");
    const box = document.getElementById("frame-box");
    const text = document.getElementById("text-part");
    const checks = document.getElementById("checks");
    document.querySelectorAll(".tabs [data-view]").forEach((b) => {
      const v = b.dataset.view;
      const on = v === "dark" ? view.dark
        : (v === "text" || v === "checks") ? view.pane === v
        : view.pane === "email" && view.size === v;
      b.setAttribute("aria-pressed", String(on));
    });
    if (!frame) return;
    box.hidden = view.pane !== "email";
    text.hidden = view.pane !== "text";
    checks.hidden = view.pane !== "checks";
    box.classList.toggle("phone", view.size === "phone");
    box.classList.toggle("dark", view.dark);
    const src = frame.dataset.src + (view.dark ? "&mode=dark" : "");
    if (frame.getAttribute("src") !== src) frame.setAttribute("src", src);
  }

  async function copyHtml(button) {
    const result = button.parentElement.querySelector(".copy-result");
    try {
      const html = await (await fetch(button.dataset.url, { credentials: "same-origin" })).text();
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(html);
      } else {
        const area = document.createElement("textarea");
        area.value = html;
        area.setAttribute("readonly", "");
        area.className = "offscreen";
        document.body.appendChild(area);
        area.select();
        document.execCommand("copy");
        area.remove();
      }
      result.textContent = "Copied: paste it into your mailing service's HTML editor.";
    } catch (e) {
      result.textContent = "Could not copy; download the .html file instead.";
    }
  }

  document.addEventListener("click", (evt) => {
    const tab = evt.target.closest(".tabs [data-view]");
    if (tab) showView(tab.dataset.view);
    const copy = evt.target.closest(".copy-html");
    if (copy) copyHtml(copy);
  });

  // Typing in a form marks the page as having unsaved work: it is then never replaced by
  // a newer version behind the editor's back (they are offered a button instead).
  document.addEventListener("input", (evt) => {
    const ws = workspace();
    if (ws && ws.contains(evt.target) && !evt.target.closest(".filters")) ws.dataset.dirty = "1";
  });

  // Text typed in one form and not yet saved (an introduction, a title) outlives a change
  // made with another form: each change replaces the whole workspace, so the typing is
  // taken before and put back after, where the field's saved text has not changed
  // meanwhile. The form that was sent is left out, unless its change was refused.
  let kept = [];
  function unsaved(root, except) {
    return Array.from(root.querySelectorAll("textarea[id], input[id]:not([type=hidden])"))
      .filter((f) => f.value !== f.defaultValue && !f.closest(".filters")
        && !(except && except.contains(f)));
  }

  document.addEventListener("htmx:beforeSwap", (evt) => {
    const target = evt.detail.target;
    if (!target || target.id !== "workspace") return;
    const sent = evt.detail.requestConfig && evt.detail.requestConfig.elt;
    const form = evt.detail.xhr.status < 400 && sent && sent.closest && sent.closest("form");
    kept = unsaved(target, form).map((f) => ({ id: f.id, saved: f.defaultValue, value: f.value }));
  });

  function restore(ws) {
    let back = 0;
    kept.forEach((k) => {
      const f = document.getElementById(k.id);
      if (!f || !ws.contains(f) || f.defaultValue !== k.saved) return;
      f.value = k.value;
      const details = f.closest("details");
      if (details) details.open = true;
      back += 1;
    });
    kept = [];
    if (back) ws.dataset.dirty = "1";
  }

  // Leaving the page (another issue, a reload, the login page) with unsaved typing asks
  // first, as every editor does.
  // (the files for another mailing service come by a form: a download, not a departure)
  let downloading = false;
  document.addEventListener("submit", (evt) => {
    if (!evt.target.matches("form.service")) return;
    downloading = true;
    setTimeout(() => { downloading = false; }, 1000);
  }, true);
  window.addEventListener("beforeunload", (evt) => {
    const ws = workspace();
    if (!downloading && ws && unsaved(ws).length) {
      evt.preventDefault();
      evt.returnValue = "";
    }
  });

  document.addEventListener("htmx:configRequest", (evt) => {
    if (evt.detail.verb === "post") evt.detail.parameters.tab = tab;
  });

  document.addEventListener("htmx:beforeRequest", (evt) => {
    const xhr = evt.detail.xhr;
    if (xhr && evt.detail.elt.id !== "status") {  // (here detail.elt is the sender itself)
      pending.add(xhr);
      xhr.addEventListener("loadend", () => pending.delete(xhr));
    }
    const config = evt.detail.requestConfig;
    const trigger = config && config.triggeringEvent;
    const elt = trigger && trigger.submitter;
    const card = evt.detail.elt.closest("[data-key]");
    if (elt && card && !focusWanted) focusWanted = { key: card.dataset.key, op: elt.value };
  });

  document.addEventListener("htmx:afterSwap", (evt) => {
    const target = evt.detail.target;
    const ws = workspace();
    if (!ws || !target || target.id !== "workspace") return;
    restore(ws);
    render();
    const message = ws.querySelector(".conflict, .error, .notice");
    let focus = null;
    if (focusWanted) {
      const card = ws.querySelector(`[data-key="${focusWanted.key}"]`);
      // (a button in a closed section cannot take the focus: the section's summary does)
      const reachable = (el) => {
        const closed = el && el.closest("details:not([open])");
        return closed ? closed.querySelector(":scope > summary") : el;
      };
      const again = card && card.querySelector(`button[value="${focusWanted.op}"]:not([disabled])`);
      focus = reachable(again) || (card && reachable(card.querySelector("button:not([disabled]), a")));
    }
    focusWanted = null;
    const alarm = message && message.matches(".conflict, .error");
    settleFocus = alarm ? message : focus || message;
  });

  // Focused once htmx has settled: it then puts the focus back on the element focused
  // before, by id (a title field, now in a closed section), which would undo ours.
  let settleFocus = null;
  document.addEventListener("htmx:afterSettle", () => {
    if (settleFocus && settleFocus.isConnected) settleFocus.focus();
    settleFocus = null;
  });

  document.addEventListener("DOMContentLoaded", () => {
    htmx.onLoad((elt) => {
      setupSortables(elt);
      // Changed elsewhere: follow at once, unless this page has unsaved typing or is
      // waiting for its own change (an older poll's answer must not replace that).
      const latest = elt.id === "status" && elt.isConnected && elt.querySelector(".show-latest");
      const ws = workspace();
      if (latest && ws && !ws.dataset.dirty && pending.size === 0) latest.click();
    });
    setupSortables(document);
    render();
  });
})();
