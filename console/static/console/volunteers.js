// Volunteer service pages: the period filter shows only the fields its kind of period uses; the
// activity form lists the chosen grid's compounds and the chosen team's volunteers first.
(function () {
  "use strict";

  function periodFields() {
    const form = document.querySelector("form[data-filters]");
    const period = form && form.querySelector("select[name=period]");
    if (!period) return;
    const uses = { year: ["year"], quarter: ["year", "quarter"], month: ["year", "month"], custom: ["start", "end"] };
    function show() {
      const kind = period.value || "year";
      for (const name of ["year", "quarter", "month", "start", "end"]) {
        const label = form.querySelector(".filter-" + name);
        if (label) label.hidden = !uses[kind].includes(name) && !label.classList.contains("invalid");
      }
    }
    period.addEventListener("change", show);
    show();
  }

  function compoundsOfGrid(form) {
    const grid = form.querySelector("select[name=grid]");
    const compounds = form.querySelector("select[data-compounds]");
    if (!grid || !compounds) return;
    function show() {
      for (const option of compounds.options) {
        option.hidden = grid.value !== "" && option.dataset.grid !== grid.value && !option.selected;
      }
    }
    grid.addEventListener("change", show);
    show();
  }

  function volunteerPicker(form) {
    const team = form.querySelector("select[name=team]");
    const search = form.querySelector("[data-volunteer-search]");
    const teamOnly = form.querySelector("[data-team-only]");
    const count = form.querySelector("[data-picked-count]");
    const hint = form.querySelector("[data-team-hint]");
    const rows = Array.from(form.querySelectorAll("[data-volunteer-row]"));
    if (!rows.length) return;
    function show() {
      const words = (search.value || "").trim().toLowerCase();
      // The hint asks for a team: once one is chosen its members are listed and it has done its work.
      if (hint) hint.hidden = team.value !== "";
      let picked = 0;
      for (const row of rows) {
        const ticked = row.querySelector("input[type=checkbox]").checked;
        picked += ticked ? 1 : 0;
        // With no team chosen and nothing typed, only what is ticked: not the whole town's list.
        const ofTeam = teamOnly.checked ? team.value !== "" && row.dataset.team === team.value : team.value !== "" || words !== "";
        const found = !words || row.dataset.search.toLowerCase().includes(words);
        row.hidden = !ticked && !((ofTeam || (words && !team.value)) && found);
      }
      count.textContent = String(picked);
    }
    form.addEventListener("change", show);
    search.addEventListener("input", show);
    show();
  }

  document.addEventListener("DOMContentLoaded", function () {
    periodFields();
    const form = document.querySelector("[data-activity-form]");
    if (form) {
      compoundsOfGrid(form);
      volunteerPicker(form);
    }
  });
})();
