/* The duty page. Check-in and check-out go through the outbox (queued-form.js); before one is
 * kept, the phone's position is read and put in the form (refused or unavailable, it goes
 * without and the page says so: the shift records "position not available"). A check-out
 * before the shift's end first asks, saying how early. The swap form offers the exchange only
 * for a colleague who has shifts to trade. */
(function () {
  "use strict";

  var notice = document.querySelector("[data-duty-gps]");
  var format = GGMobile.format;

  function say(message) {
    if (!notice) return;
    notice.textContent = message;
    notice.hidden = false;
  }

  function locate(form) {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) { say(notice.dataset.msgUnavailable); resolve(true); return; }
      say(notice.dataset.msgLocating);
      navigator.geolocation.getCurrentPosition(function (position) {
        form.elements.lat.value = position.coords.latitude;
        form.elements.lng.value = position.coords.longitude;
        form.elements.accuracy.value = position.coords.accuracy;
        notice.hidden = true;
        resolve(true);
      }, function (error) {
        say(error.code === error.PERMISSION_DENIED ? notice.dataset.msgDenied : notice.dataset.msgUnavailable);
        // Long enough to read the message before the form goes.
        window.setTimeout(function () { resolve(true); }, 1500);
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  function duration(form, minutes) {
    var hours = Math.floor(minutes / 60);
    var rest = minutes % 60;
    var words = form.dataset;
    if (!hours) return format(words.msgM, { minutes: rest });
    return format(rest ? words.msgHm : words.msgH, { hours: hours, minutes: rest });
  }

  // A check-out before the shift's end: the confirmation, where the check-out button was not.
  function confirmedEarly(form) {
    var early = form.elements.early;
    if (!early) return true;
    var minutes = Math.ceil((Date.parse(form.dataset.endsAt) - Date.now()) / 60000);
    if (minutes <= 0 || early.value === "1") return true;
    var panel = form.querySelector("[data-confirm]");
    panel.querySelector("[data-confirm-text]").textContent = format(form.dataset.msgEarly, { end: form.dataset.end, early: duration(form, minutes) });
    panel.hidden = false;
    form.querySelector("[data-checkout]").hidden = true;
    return false;
  }

  document.querySelectorAll("form[data-with-position]").forEach(function (form) {
    GGQueuedForm.before(form, function () {
      if (!confirmedEarly(form)) return false;
      return locate(form);
    });
    var panel = form.querySelector("[data-confirm]");
    if (!panel) return;
    function close() {
      panel.hidden = true;
      form.elements.early.value = "";
      form.querySelector("[data-checkout]").hidden = false;
    }
    panel.querySelector("[data-confirm-no]").addEventListener("click", close);
    panel.querySelector("[data-confirm-yes]").addEventListener("click", function () {
      form.elements.early.value = "1";
      panel.hidden = true;
      form.querySelector("[data-checkout]").hidden = false;
      form.requestSubmit();
    });
  });

  // The exchange only for a colleague with shifts to trade.
  document.querySelectorAll("[data-swap-form]").forEach(function (form) {
    var exchange = form.querySelector("[data-exchange]");
    if (!exchange) return;
    var select = form.elements.to_person;
    function showExchange() {
      var option = select.options[select.selectedIndex];
      exchange.hidden = !(option && Number(option.dataset.tradeable) > 0);
    }
    select.addEventListener("change", showExchange);
    showExchange();
  });
})();
