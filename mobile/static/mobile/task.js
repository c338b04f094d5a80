/* A task: where it is (its point in its grid), and the action forms' photos shrunk on the
 * phone before they are sent. */
(function () {
  "use strict";

  var element = document.querySelector("[data-case-map]");
  if (element && window.L) GovgridMap.showPlace(element, JSON.parse(document.getElementById("case-place").textContent), "#b71c1c");

  document.querySelectorAll("[data-action-form]").forEach(function (form) {
    GGPhotoList.attach(form);
    // One tap sends once: a second tap on a slow connection would meet a changed case.
    form.addEventListener("submit", function () {
      form.querySelector("button[type=submit]").disabled = true;
    });
  });
})();
