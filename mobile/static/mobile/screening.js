// The arrival form's live check of the ID number (GB 11643), as the worker types: the length,
// the date of birth and the check character. The server checks it again and has the last word:
// on a field it refused (an ID number registered already) the check digit's "right" is not shown.
(function () {
  "use strict";
  var form = document.querySelector(".screening-form");
  var input = form && form.querySelector("[data-id-number]");
  var note = form && form.querySelector("[data-id-check]");
  if (!input || !note) return;
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";

  function normalised(value) {
    // Full-width digits and letters from a Chinese input method, spaces, a lower-case x.
    return value.replace(/[\uFF10-\uFF19\uFF38\uFF58]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
    }).replace(/\s+/g, "").toUpperCase();
  }

  function problem(value) {
    if (!/^[0-9]{17}[0-9X]$/.test(value)) return form.dataset.msgIdLength;
    var year = +value.slice(6, 10), month = +value.slice(10, 12), day = +value.slice(12, 14);
    var born = new Date(year, month - 1, day);
    if (born.getFullYear() !== year || born.getMonth() !== month - 1 || born.getDate() !== day) {
      return form.dataset.msgIdDate.replace("%(digits)s", value.slice(6, 14));
    }
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += +value[i] * WEIGHTS[i];
    var expected = CHECK[sum % 11];
    if (value[17] !== expected) return form.dataset.msgIdCheck.replace("%(expected)s", expected);
    return "";
  }

  function check(final) {
    var value = normalised(input.value);
    // While typing, say nothing until all 18 characters are there.
    if (!final && value.length < 18) {
      note.textContent = "";
      note.className = "id-check";
      input.setCustomValidity("");
      return;
    }
    var text = value ? problem(value) : "";
    note.textContent = text || (value ? form.dataset.msgIdOk : "");
    note.className = "id-check " + (text ? "bad" : "good");
    input.setCustomValidity(text);
  }

  // The server's refusal spoke of the number as it was sent: once it is changed, that is past.
  function forgetRefusal() {
    var field = input.closest(".field");
    var stale = field.querySelectorAll("[data-server-error]");
    if (!stale.length) return;
    Array.prototype.forEach.call(stale, function (error) { error.remove(); });
    field.classList.remove("invalid");
  }

  input.addEventListener("input", function () { forgetRefusal(); check(false); });
  // Kept on the phone to be sent later, the form is emptied: so is the note on its number.
  form.addEventListener("reset", function () { setTimeout(function () { check(false); }); });
  input.addEventListener("blur", function () {
    input.value = normalised(input.value);
    check(true);
  });
  if (input.value) check(true);
})();
