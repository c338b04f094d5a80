/* The case page: where the case is (its point in its grid), the photo viewer, and the search
 * over the assign form's handlers. */
(function () {
  "use strict";

  var element = document.querySelector("[data-case-map]");
  if (element && window.L) GovgridMap.showPlace(element, JSON.parse(document.getElementById("case-place").textContent), "#1565c0", "#b71c1c");

  var dialog = document.querySelector("[data-viewer-dialog]");
  if (dialog) {
    var links = Array.prototype.slice.call(document.querySelectorAll("a[data-photo]"));
    var shown = 0;
    var show = function (index) {
      shown = (index + links.length) % links.length;
      dialog.querySelector("img").src = links[shown].href;
      dialog.querySelector("img").alt = links[shown].querySelector("img").alt;
    };
    links.forEach(function (link, index) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        show(index);
        dialog.showModal();
      });
    });
    dialog.querySelector("[data-prev]").addEventListener("click", function () { show(shown - 1); });
    dialog.querySelector("[data-next]").addEventListener("click", function () { show(shown + 1); });
    dialog.querySelector("[data-close]").addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "ArrowLeft") show(shown - 1);
      if (event.key === "ArrowRight") show(shown + 1);
    });
  }

  // The assign form's search: only the handlers that match stay, the first of them chosen; with
  // none, nothing is chosen (the form then says a handler is needed) and the page says so.
  document.querySelectorAll("[data-handler-search]").forEach(function (search) {
    var select = document.getElementById(search.dataset.handlerSearch);
    var none = document.createElement("p");
    none.className = "field-error";
    none.hidden = true;
    none.textContent = search.dataset.noMatch;
    select.parentNode.insertBefore(none, select.nextSibling);
    search.addEventListener("input", function () {
      var words = search.value.trim().toLowerCase();
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var match = !words || option.textContent.toLowerCase().indexOf(words) !== -1;
        option.hidden = !match;
        if (match && !first) first = option;
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        group.hidden = !Array.prototype.some.call(group.children, function (option) { return !option.hidden; });
      });
      none.hidden = Boolean(first);
      if (!first) select.value = "";
      else if (words) select.value = first.value;
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); select.focus(); }
      if (event.key === "Enter") event.preventDefault();  // Enter picks, the button sends
    });
  });
})();
