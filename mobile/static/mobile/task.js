/* A task: where it is (its point in its grid), and its action forms. An action goes through the
 * outbox like a report: with no signal it is kept on the phone and sent when the connection
 * returns (the version it was taken on goes with it, so a case changed meanwhile refuses it
 * and says why), and nothing typed or photographed is lost to a dropped connection. */
(function () {
  "use strict";

  var element = document.querySelector("[data-case-map]");
  if (element && window.L) GovgridMap.showPlace(element, JSON.parse(document.getElementById("case-place").textContent), "#b71c1c");

  var section = document.querySelector("[data-actions]");
  if (!section) return;
  var text = section.dataset;

  function say(form, kind, lines) { GGMobile.showResult(form.querySelector("[data-said]"), kind, lines, null, true); }

  document.querySelectorAll("[data-action-form]").forEach(function (form) {
    var photos = GGPhotoList.attach(form);
    var button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var fields = {};
      new FormData(form).forEach(function (value, name) {
        if (typeof value !== "string" || name === "csrfmiddlewaretoken") return;
        fields[name] = name in fields ? [].concat(fields[name], value) : value;
      });
      button.disabled = true;  // one tap sends once
      var id;
      GGOutbox.add({ kind: "action", label: form.dataset.label, url: form.action, fields: fields, files: photos.files() })
        .then(function (kept) { id = kept; return GGOutbox.flush(); })
        .then(GGOutbox.all)
        .then(function (entries) {
          var entry = entries.filter(function (e) { return e.id === id; })[0];
          if (entry && entry.state === "sent") {
            window.location.href = (entry.result && entry.result.url) || text.tasks;
          } else if (entry && entry.state === "refused") {
            // Shown here, with the form as it was typed; the outbox need not keep it.
            GGOutbox.remove(id);
            say(form, "refused", entry.reason.split("\n"));
            button.disabled = false;
          } else {
            say(form, "kept", [text.msgKept]);
          }
        })
        .catch(function (error) { say(form, "refused", [String(error)]); button.disabled = false; });
    });
  });
})();
