/* The case list: the minor categories follow the chosen major one; the bulk form counts what is
 * ticked, and "select all" ticks the page. */
(function () {
  "use strict";

  var major = document.querySelector("[data-filters] select[name=major]");
  var minor = document.querySelector("[data-filters] select[name=category]");
  function followMajor() {
    var chosen = major.options[major.selectedIndex];
    var name = chosen && chosen.value ? chosen.textContent.replace(/^\S+\s/, "") : "";
    Array.prototype.forEach.call(minor.querySelectorAll("optgroup"), function (group) {
      var shown = !name || group.label === name;
      group.hidden = !shown;
      group.disabled = !shown;
    });
    var picked = minor.options[minor.selectedIndex];
    if (picked && picked.parentNode.disabled) minor.value = "";
  }
  if (major && minor) {
    major.addEventListener("change", followMajor);
    followMajor();
  }

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
    }
  });
})();
