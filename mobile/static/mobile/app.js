/* Every phone page: the service worker, the connection shown in the bar, the outbox sent
 * whenever there is a chance (on load, back online, every half minute while something waits),
 * and the count of what waits. */
(function () {
  "use strict";

  var body = document.body;
  var RETRY_MS = 30000;

  if ("serviceWorker" in navigator && body.dataset.sw) {
    navigator.serviceWorker.register(body.dataset.sw, { scope: body.dataset.scope }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // So that the app opens with no signal: its pages, kept once the worker is logged in.
      if (!body.dataset.user || !registration.active) return;
      registration.active.postMessage("keep-pages");
      var tasks = Array.prototype.map.call(document.querySelectorAll("[data-keep]"), function (link) { return link.getAttribute("href"); });
      if (tasks.length) registration.active.postMessage({ keep: tasks });
    }).catch(function () {
      /* no service worker (a private window): the pages work online, the outbox still keeps */
    });
  }

  var net = document.querySelector("[data-net]");
  function showConnection() { if (net) net.hidden = navigator.onLine; }
  window.addEventListener("online", function () { showConnection(); GGOutbox.flush(); });
  window.addEventListener("offline", showConnection);
  showConnection();

  var chip = document.querySelector("[data-outbox-chip]");
  var summary = document.querySelector("[data-outbox-summary]");
  var waitingCount = 0;

  function showOutbox() {
    GGOutbox.all().then(function (entries) {
      var waiting = entries.filter(function (e) { return e.state === "waiting"; });
      var refused = entries.filter(function (e) { return e.state === "refused"; });
      waitingCount = waiting.length;
      if (chip) {
        chip.hidden = !waiting.length && !refused.length;
        chip.textContent = "⇡" + waiting.length + (refused.length ? " ⚠" + refused.length : "");
        chip.classList.toggle("refused", refused.length > 0);
      }
      if (summary) {
        var reports = waiting.filter(function (e) { return e.kind === "report"; }).length;
        var patrols = waiting.filter(function (e) { return e.kind === "patrol"; }).length;
        summary.hidden = !waiting.length && !refused.length;
        summary.querySelector("[data-outbox-text]").textContent = outboxText(reports, patrols, waiting.length - reports - patrols, refused.length);
      }
    }).catch(function () { /* IndexedDB refused (private window): nothing kept, nothing shown */ });
  }

  // A translated message with its %(name)s filled in.
  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_all, key) { return values[key] == null ? "" : values[key]; });
  }

  // A result box: its kind (sent, kept, refused), a paragraph per line, and what follows them
  // (a link, a button); brought into view when it appears or changes kind, or when asked.
  function showResult(box, kind, lines, extra, scroll) {
    var moved = scroll || box.hidden || box.className !== "result " + kind;
    box.hidden = false;
    box.className = "result " + kind;
    box.textContent = "";
    lines.forEach(function (line) {
      var p = document.createElement("p");
      p.textContent = line;
      box.appendChild(p);
    });
    if (extra) box.appendChild(extra);
    if (moved) box.scrollIntoView({ block: "start" });
  }

  window.GGMobile = { format: format, showResult: showResult };

  // "%(count)s reports waiting" and the like, from the page's body.
  function say(name, count) { return format(body.dataset[name] || "", { count: count }); }

  // Reports, patrol records and everything else kept (task actions, check-ins, registrations).
  function outboxText(reports, patrols, others, refused) {
    var parts = [];
    if (reports) parts.push(say("msgReports", reports));
    if (patrols) parts.push(say("msgPatrolRecords", patrols));
    if (others) parts.push(say("msgOtherRecords", others));
    if (refused) parts.push(say("msgRefused", refused));
    return parts.join(" · ");
  }

  GGOutbox.onChange(showOutbox);
  showOutbox();
  if (body.dataset.user) GGOutbox.setOwner(body.dataset.user).then(GGOutbox.flush);
  setInterval(function () { if (waitingCount && navigator.onLine) GGOutbox.flush(); }, RETRY_MS);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) GGOutbox.flush(); });

  // Logging out: say what would be left unsent, and forget the pages kept for this worker.
  var logout = document.querySelector("[data-logout]");
  if (logout) {
    logout.addEventListener("submit", function (event) {
      if (waitingCount && !window.confirm(say("msgUnsent", waitingCount))) { event.preventDefault(); return; }
      if (navigator.serviceWorker && navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage("forget-pages");
    });
  }
})();
