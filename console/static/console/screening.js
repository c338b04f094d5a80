/* The arrival form: the compound list narrowed to the chosen grid's compounds (grouped under the
 * grid's name), a compound of another grid unchosen. The server checks the pair anyway. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-arrival-form]").forEach(function (form) {
    var grid = form.querySelector("select[name=grid]");
    var compound = form.querySelector("select[name=compound]");
    if (!grid || !compound) return;
    function narrow() {
      var chosen = grid.options[grid.selectedIndex];
      var name = chosen && chosen.value ? chosen.textContent.trim() : "";
      compound.querySelectorAll("optgroup").forEach(function (group) {
        var shown = !name || group.label === name;
        group.hidden = !shown;
        group.disabled = !shown;
      });
      var selected = compound.options[compound.selectedIndex];
      if (selected && selected.parentNode.tagName === "OPTGROUP" && selected.parentNode.disabled) compound.value = "";
    }
    grid.addEventListener("change", narrow);
    narrow();
  });
})();
