// The meeting form: the grid list narrows to the chosen community, and the members to tick are
// found by name, branch or grid (those of the chosen community first); ticked ones stay in view.
(function () {
  "use strict";

  function gridsOfCommunity(form) {
    const community = form.querySelector("select[name=community]");
    const grid = form.querySelector("select[name=grid]");
    if (!community || !grid) return;
    function show() {
      for (const option of grid.options) {
        if (!option.value) continue;
        option.hidden = community.value !== "" && option.dataset.community !== community.value;
      }
      // A grid of another community would only be refused by the server: clear it.
      if (grid.selectedOptions.length && grid.selectedOptions[0].hidden) grid.value = "";
    }
    community.addEventListener("change", show);
    show();
  }

  function attendeePicker(form) {
    const community = form.querySelector("select[name=community]");
    const search = form.querySelector("[data-attendee-search]");
    const ofCommunity = form.querySelector("[data-attendee-community]");
    const count = form.querySelector("[data-attendee-count]");
    const groups = Array.from(form.querySelectorAll("[data-attendee-group]"));
    if (!search || !groups.length) return;
    function show() {
      const words = search.value.trim().toLowerCase();
      const chosenCommunity = community ? community.value : "";
      let ticked = 0;
      for (const group of groups) {
        let shown = 0;
        for (const row of group.querySelectorAll("label.attendee")) {
          const checked = row.querySelector("input").checked;
          ticked += checked ? 1 : 0;
          const inCommunity = !ofCommunity.checked || !chosenCommunity || row.dataset.community === chosenCommunity;
          const found = !words || row.dataset.search.toLowerCase().includes(words);
          row.hidden = !checked && !(inCommunity && found);
          shown += row.hidden ? 0 : 1;
        }
        group.hidden = shown === 0;
      }
      count.textContent = String(ticked);
    }
    form.addEventListener("change", show);
    search.addEventListener("input", show);
    show();
  }

  document.addEventListener("DOMContentLoaded", function () {
    const form = document.querySelector("[data-meeting-form]");
    if (form) {
      gridsOfCommunity(form);
      attendeePicker(form);
    }
  });
})();
