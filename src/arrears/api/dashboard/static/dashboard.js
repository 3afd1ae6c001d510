// arrears dashboard: two small enhancements; every page works without them.
// 1. An action link opens its confirmation <dialog> instead of the confirmation page.
// 2. The events table tails new events by polling the feed, with a button to pause it.
"use strict";

document.addEventListener("click", (event) => {
  const trigger = event.target.closest("a[data-confirm]");
  if (trigger) {
    const dialog = document.getElementById(trigger.dataset.confirm);
    if (dialog && typeof dialog.showModal === "function") {
      event.preventDefault();
      dialog.returnFocus = trigger;
      dialog.showModal();
    }
    return;
  }
  const closer = event.target.closest("dialog [data-close]");
  if (closer) closer.closest("dialog").close();
});

document.addEventListener("close", (event) => {
  if (event.target.returnFocus) event.target.returnFocus.focus();
}, true);

function startTail(table) {
  const body = table.tBodies[0];
  const toggle = document.getElementById("tail-toggle");
  const status = document.getElementById("tail-status");
  const empty = document.getElementById("no-events");
  const interval = Number(table.dataset.interval) || 2000;
  let running = true;
  let timer = null;

  const newest = () => (body.rows.length ? body.rows[0].dataset.id : "");

  async function poll() {
    timer = null;
    const url = new URL(table.dataset.feed, window.location.href);
    if (newest()) url.searchParams.set("ending_before", newest());
    let more = false;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (response.redirected || !response.ok) {
        status.textContent = "Live tail stopped: sign in again to resume.";
        running = false;
        toggle.hidden = true;
        return;
      }
      const template = document.createElement("template");
      template.innerHTML = (await response.text()).trim();
      const rows = Array.from(template.content.querySelectorAll("tr"));
      if (rows.length) {
        rows.forEach((row) => row.classList.add("new"));
        body.prepend(...rows);
        if (empty) empty.hidden = true;
        status.textContent = `${rows.length} new event${rows.length === 1 ? "" : "s"}.`;
      }
      more = response.headers.get("X-More") === "1";
    } catch (err) {
      status.textContent = "Live tail: the server did not answer; retrying.";
    }
    if (running) timer = window.setTimeout(poll, more ? 50 : interval);
  }

  toggle.hidden = false;
  toggle.addEventListener("click", () => {
    running = !running;
    toggle.textContent = running ? "Pause live tail" : "Resume live tail";
    status.textContent = running ? "Live tail resumed." : "Live tail paused.";
    if (running && timer === null) poll();
    if (!running && timer !== null) { window.clearTimeout(timer); timer = null; }
  });
  timer = window.setTimeout(poll, interval);
}

document.addEventListener("DOMContentLoaded", () => {
  const table = document.getElementById("event-tail");
  if (table) startTail(table);
});
