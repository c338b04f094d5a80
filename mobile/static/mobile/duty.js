/* Check-in and check-out on a duty shift: the phone's position is read and put in the form
 * before it is sent; refused or unavailable, the form goes without it and the page says so
 * (the shift records "position not available"). */
(function () {
  "use strict";

  var notice = document.querySelector("[data-duty-gps]");

  function say(message) {
    if (!notice) return;
    notice.textContent = message;
    notice.hidden = false;
  }

  document.querySelectorAll("form[data-with-position]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      // form.submit() does not fire "submit" again: the form goes once, with what was found.
      function send() { form.submit(); }
      if (!navigator.geolocation) {
        say(notice.dataset.msgUnavailable);
        send();
        return;
      }
      say(notice.dataset.msgLocating);
      navigator.geolocation.getCurrentPosition(function (position) {
        form.elements.lat.value = position.coords.latitude;
        form.elements.lng.value = position.coords.longitude;
        form.elements.accuracy.value = position.coords.accuracy;
        send();
      }, function (error) {
        say(error.code === error.PERMISSION_DENIED ? notice.dataset.msgDenied : notice.dataset.msgUnavailable);
        // Long enough to read the message before the page moves on.
        window.setTimeout(send, 1500);
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  });
})();
