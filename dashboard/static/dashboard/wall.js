// The wall screen refreshes its figures every minute from /dashboard/wall/data/ (the same
// partial the page was drawn with). A failed refresh keeps the last figures and says so; an
// ended session stops the refreshing and says so, rather than showing a login form.
(function () {
  "use strict";
  var EVERY_MS = 60 * 1000;
  var box = document.getElementById("wall-figures");
  var status = document.querySelector("[data-status]");
  var ended = document.querySelector("[data-ended]");
  var timer = null;

  // The time on the town's clock, as the figures' "as of" is, wherever the screen's clock is set.
  var townTime = new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit", minute: "2-digit", hour12: false, timeZone: status.getAttribute("data-time-zone") || undefined
  });

  function clock() {
    return townTime.format(new Date());
  }

  function failed() {
    status.textContent = status.getAttribute("data-failed") + " " + clock();
    status.classList.add("failed");
  }

  function sessionEnded() {
    window.clearInterval(timer);
    box.classList.add("stale");
    ended.hidden = false;
  }

  function refresh() {
    // A redirect can only be to the login page: not followed, so it is seen as one.
    fetch(box.getAttribute("data-url"), { credentials: "same-origin", redirect: "manual", cache: "no-store" })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
          sessionEnded();
          return null;
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        if (html === null) return;
        box.innerHTML = html;
        status.textContent = "";
        status.classList.remove("failed");
      })
      .catch(failed);
  }

  timer = window.setInterval(refresh, EVERY_MS);

  var full = document.querySelector("[data-fullscreen]");
  if (full && document.documentElement.requestFullscreen) {
    full.addEventListener("click", function () { document.documentElement.requestFullscreen(); });
  } else if (full) {
    full.hidden = true;
  }
})();
