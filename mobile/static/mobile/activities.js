// Recording an activity on the phone: only the chosen grid's compounds (none before a grid is
// chosen: a compound of another grid is refused), the chosen team's volunteers unless asked for
// everyone, and a date after today caught before the photos are uploaded for nothing. The form
// goes through the phone's outbox (queued-form.js, included before this script).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    const form = document.querySelector("[data-activity-form]");
    if (!form) return;
    const grid = form.querySelector("select[name=grid]");
    const team = form.querySelector("select[name=team]");
    const date = form.querySelector("input[name=date]");
    const search = form.querySelector("[data-volunteer-search]");
    const teamOnly = form.querySelector("[data-team-only]");
    const noGrid = form.querySelector("[data-compounds-none]");

    function showCompounds() {
      for (const compound of form.querySelectorAll("[data-compound]")) {
        const inGrid = grid.value !== "" && compound.dataset.grid === grid.value;
        compound.hidden = !inGrid;
        // What is not in sight is not sent: a compound of the grid chosen before is dropped.
        if (!inGrid) compound.querySelector("input").checked = false;
      }
      noGrid.hidden = grid.value !== "";
    }

    function showVolunteers() {
      const words = search.value.trim().toLowerCase();
      for (const row of form.querySelectorAll("[data-volunteer-row]")) {
        const ticked = row.querySelector("input[type=checkbox]").checked;
        // With no team chosen and nothing typed, only what is ticked: not the whole list.
        const ofTeam = teamOnly.checked ? team.value !== "" && row.dataset.team === team.value : team.value !== "" || words !== "";
        const found = !words || row.dataset.search.toLowerCase().includes(words);
        row.hidden = !ticked && !((ofTeam || (words && !team.value)) && found);
      }
    }

    // A day after today is refused by the server: say so before anything is sent.
    function dateProblem() {
      const field = date.closest(".field");
      let note = field.querySelector("[data-date-note]");
      const late = date.value && date.max && date.value > date.max;
      if (!late) {
        if (note) note.remove();
        field.classList.toggle("invalid", Boolean(field.querySelector(".field-error")));
        return false;
      }
      if (!note) {
        note = document.createElement("p");
        note.className = "field-error";
        note.setAttribute("role", "alert");
        note.dataset.dateNote = "";
        field.appendChild(note);
      }
      note.textContent = form.dataset.msgFuture;
      field.classList.add("invalid");
      return true;
    }

    grid.addEventListener("change", showCompounds);
    form.addEventListener("change", showVolunteers);
    search.addEventListener("input", showVolunteers);
    date.addEventListener("change", dateProblem);
    // Capture, so the check runs before anything else sends the form.
    form.addEventListener("submit", function (event) {
      if (dateProblem()) {
        event.preventDefault();
        event.stopImmediatePropagation();
        date.focus();
      }
    }, true);
    // Kept on the phone for later, the form is emptied: what is in sight follows its fields.
    form.addEventListener("reset", function () {
      setTimeout(function () { showCompounds(); showVolunteers(); dateProblem(); });
    });
    showCompounds();
    showVolunteers();
  });
})();
