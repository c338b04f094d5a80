// Sorts a ranking table in place when a column header is clicked; without script the header
// links ask the server for the same order (?sort=).
(function () {
  "use strict";

  function valueOf(row, index) {
    var raw = row.cells[index].getAttribute("data-value");
    if (raw === null || raw === "") return null;
    var number = Number(raw);
    return isNaN(number) ? raw : number;
  }

  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b), "zh-Hans-CN");
  }

  function sortTable(table, header, descending) {
    var index = Array.prototype.indexOf.call(header.parentNode.children, header);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var known = rows.filter(function (row) { return valueOf(row, index) !== null; });
    var unknown = rows.filter(function (row) { return valueOf(row, index) === null; });
    known.sort(function (a, b) {
      var order = compare(valueOf(a, index), valueOf(b, index));
      return descending ? -order : order;
    });
    known.concat(unknown).forEach(function (row) { body.appendChild(row); });
    table.querySelectorAll("thead th").forEach(function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }

  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    table.querySelectorAll("thead th a[data-first]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var header = link.parentNode;
        var state = header.getAttribute("aria-sort");
        var descending = state ? state === "ascending" : link.getAttribute("data-first").charAt(0) === "-";
        sortTable(table, header, descending);
        var key = link.getAttribute("data-first").replace(/^-/, "");
        var url = new URL(window.location.href);
        url.searchParams.set("sort", (descending ? "-" : "") + key);
        window.history.replaceState(null, "", url);
      });
    });
  });
})();
