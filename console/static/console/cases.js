/* The case list: the minor categories follow the chosen major one; the bulk form counts what is
 * ticked, and "select all" ticks the page. */
(function () {
  "use strict";

  // A select whose options are grouped by the choice of another: only the chosen one's group
  // is offered (major category → minor category, community → grid).
  function follow(parentName, childName) {
    var parent = document.querySelector("[data-filters] select[name=" + parentName + "]");
    var child = document.querySelector("[data-filters] select[name=" + childName + "]");
    if (!parent || !child) return;
    function update() {
      var chosen = parent.options[parent.selectedIndex];
      var label = chosen && chosen.value ? chosen.textContent : "";
      Array.prototype.forEach.call(child.querySelectorAll("optgroup"), function (group) {
        var shown = !label || group.label === label;
        group.hidden = !shown;
        group.disabled = !shown;
      });
      var picked = child.options[child.selectedIndex];
      if (picked && picked.parentNode.disabled) child.value = "";
    }
    parent.addEventListener("change", update);
    update();
  }
  follow("major", "category");
  follow("community", "grid");

  var bulk = document.getElementById("bulk");
  if (!bulk) return;
  var counter = bulk.querySelector("[data-picked] b");
  function boxes() { return document.querySelectorAll("input[name=case][form=bulk]"); }
  function count() {
    counter.textContent = Array.prototype.filter.call(boxes(), function (box) { return box.checked; }).length;
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-pick-all]")) {
      Array.prototype.forEach.call(boxes(), function (box) { box.checked = event.target.checked; });
    }
    if (event.target.matches("input[name=case], [data-pick-all]")) count();
  });
  bulk.addEventListener("submit", function (event) {
    if (!Array.prototype.some.call(boxes(), function (box) { return box.checked; })) {
      event.preventDefault();
      counter.parentNode.classList.add("invalid");
    } else if (bulk.elements.action.value === "close" && !window.confirm(counter.textContent + " · " + bulk.dataset.confirmClose)) {
      event.preventDefault();
    }
  });
})();
