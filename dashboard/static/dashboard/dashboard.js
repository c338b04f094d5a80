/* The dashboard's filters, on every dashboard page: the dates only for a custom range, the
 * grids of the chosen community only, and no empty fields in the address they make. */
(function () {
  "use strict";

  var form = document.querySelector("[data-filters]");
  if (!form) return;
  var period = form.elements.period;
  var dates = ["start", "end"].map(function (name) { return form.querySelector(".field-" + name); });

  function showDates() {
    var custom = period && period.value === "custom";
    dates.forEach(function (label) {
      if (label) label.hidden = !custom && !label.querySelector(".error");
    });
  }
  if (period) {
    period.addEventListener("change", showDates);
    showDates();
  }

  // A grid's code begins with its community's.
  var community = form.elements.community;
  var grid = form.elements.grid;
  function offerGrids() {
    var chosen = community.value;
    Array.prototype.forEach.call(grid.options, function (option) {
      var shown = !chosen || !option.value || option.value.indexOf(chosen) === 0;
      option.hidden = !shown;
      option.disabled = !shown;
    });
    if (grid.selectedOptions[0] && grid.selectedOptions[0].disabled) grid.value = "";
  }
  if (community && grid) {
    community.addEventListener("change", offerGrids);
    offerGrids();
  }

  form.addEventListener("submit", function () {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && !field.value) field.disabled = true;
      if (period && period.value !== "custom" && (field.name === "start" || field.name === "end")) field.disabled = true;
    });
  });
  // Back to a page whose fields were switched off on the way out.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name) field.disabled = false;
    });
  });
})();
