// Recording an activity on the phone: only the chosen grid's compounds, and the chosen team's
// volunteers unless asked for everyone; what is ticked always stays in sight.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    const form = document.querySelector("[data-activity-form]");
    if (!form) return;
    const grid = form.querySelector("select[name=grid]");
    const team = form.querySelector("select[name=team]");
    const search = form.querySelector("[data-volunteer-search]");
    const teamOnly = form.querySelector("[data-team-only]");
    function show() {
      for (const compound of form.querySelectorAll("[data-compound]")) {
        const ticked = compound.querySelector("input").checked;
        compound.hidden = !ticked && grid.value !== "" && compound.dataset.grid !== grid.value;
      }
      const words = search.value.trim().toLowerCase();
      for (const row of form.querySelectorAll("[data-volunteer-row]")) {
        const ticked = row.querySelector("input[type=checkbox]").checked;
        // With no team chosen and nothing typed, only what is ticked: not the whole town's list.
        const ofTeam = teamOnly.checked ? team.value !== "" && row.dataset.team === team.value : team.value !== "" || words !== "";
        const found = !words || row.dataset.search.toLowerCase().includes(words);
        row.hidden = !ticked && !((ofTeam || (words && !team.value)) && found);
      }
    }
    form.addEventListener("change", show);
    search.addEventListener("input", show);
    show();
  });
})();
