/* Every console page: every 5 s, the queues' counts, the unread notifications and the cases that
 * arrived since the page was drawn; on the list, those that match its filters are added on top.
 * The tab's title counts the arrivals, and a line above the page says so. */
(function () {
  "use strict";

  var PERIOD_MS = 5000;
  var frame = document.querySelector("[data-live]");
  if (!frame) return;
  var title = document.title;
  var rows = document.querySelector("[data-rows]");
  var liveRows = rows && rows.closest("table").dataset.liveRows === "1";
  var arrivedLine = document.querySelector("[data-arrived]");
  var busy = false;

  function url() {
    var address = new URL(frame.dataset.live, window.location.href);
    address.searchParams.set("since", frame.dataset.since);
    if (liveRows) address.searchParams.set("rows", "1");
    return address;
  }

  function addRows(html) {
    var holder = document.createElement("tbody");
    holder.innerHTML = html;
    var added = 0;
    Array.prototype.slice.call(holder.children).reverse().forEach(function (row) {
      if (rows.querySelector('tr[data-id="' + row.dataset.id + '"]')) return;
      var empty = rows.querySelector("tr.empty");
      if (empty) empty.remove();
      rows.insertBefore(row, rows.firstChild);
      added += 1;
    });
    if (added) document.dispatchEvent(new CustomEvent("console:rows-added"));
  }

  function show(answer) {
    document.querySelector("[data-queues]").innerHTML = answer.queues;
    var badge = document.querySelector("[data-unread]");
    if (badge) badge.textContent = answer.unread ? String(answer.unread) : "";
    if (liveRows && answer.rows) addRows(answer.rows);
    document.title = answer.arrived ? "(" + answer.arrived + ") " + title : title;
    if (arrivedLine) {
      arrivedLine.hidden = !answer.arrived;
      arrivedLine.querySelector("a").textContent = answer.arrived_text || "";
    }
  }

  function poll() {
    if (busy || document.hidden) return;
    busy = true;
    fetch(url(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) { if (answer) show(answer); })
      .catch(function () { /* offline a moment: the next poll tries again */ })
      .then(function () { busy = false; });
  }

  window.setInterval(poll, PERIOD_MS);

  // The notifications menu loads its list when opened.
  var notices = document.querySelector("details.notices");
  if (notices) {
    notices.addEventListener("toggle", function () {
      if (!notices.open) return;
      var address = new URL(notices.dataset.url, window.location.href);
      address.searchParams.set("next", window.location.pathname + window.location.search);
      fetch(address, { credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (html) { notices.querySelector("[data-notices]").innerHTML = html; });
    });
  }
})();
