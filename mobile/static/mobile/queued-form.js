/* A phone form that must not be lost on a weak signal: marked `data-outbox="<kind>"` and
 * `data-label="…"`, it is kept in the outbox (outbox.js) when sent, with a UUID made on the
 * phone (`uuid`, so a retry whose answer was lost is one record) and the phone's time (`at`,
 * so a check-in made in an alley with no signal is recorded when it was made), then sent.
 *
 * The server answers JSON (mobile/queued.py): {message, next} when done: the page goes to
 * `next` and shows the message there (or shows it here when there is no `next`); {detail,
 * field: [..]} when refused: the reasons are shown in the form, by field, and the form is
 * kept as typed. No answer: "kept on the phone, it will be sent" and the form is cleared; the
 * outbox sends it when the signal returns, and this page follows up if it is still open.
 *
 * `data-outbox-once` (a check-in, a confirmation): while one waits to be sent, its buttons are
 * off, after a reload too. Buttons are off while a form is on its way (a second tap does
 * nothing). A page script may run first: GGQueuedForm.before(form, fn), fn(form) returning a
 * promise of true to go on, false to stop (the position read, a confirmation asked).
 * Include "mobile/_queued_form.html" for the words and this script.
 */
(function () {
  "use strict";

  var FLASH = "gg-queued-flash";
  var textElement = document.querySelector("[data-queued-text]");
  var text = textElement ? textElement.dataset : {};
  var hooks = [];

  function before(form, fn) { hooks.push({ form: form, fn: fn }); }

  function runHooks(form) {
    var mine = hooks.filter(function (hook) { return hook.form === form; });
    return mine.reduce(function (going, hook) {
      return going.then(function (go) { return go === false ? false : hook.fn(form); });
    }, Promise.resolve(true));
  }

  function buttons(form) { return form.querySelectorAll("button, input[type=submit]"); }

  function setBusy(form, busy) {
    form.dataset.busy = busy ? "1" : "";
    Array.prototype.forEach.call(buttons(form), function (button) { button.disabled = busy; });
  }

  function resultBox(form) {
    var box = form.querySelector("[data-queued-result]");
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("data-queued-result", "");
      box.setAttribute("role", "status");
      box.hidden = true;
      form.insertBefore(box, form.firstChild);
    }
    return box;
  }

  function show(form, kind, lines) { GGMobile.showResult(resultBox(form), kind, lines.filter(Boolean), null, true); }

  // The form's fields as the outbox keeps them: the CSRF field left out (the outbox sends the
  // token of the moment in a header), files apart, the button tapped as the browser would send it.
  function collect(form, submitter) {
    var fields = {};
    var files = [];
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    data.forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken") return;
      if (typeof value === "object" && "size" in value) {
        if (value.size) files.push({ name: name, blob: value, filename: value.name });
        return;
      }
      fields[name] = name in fields ? [].concat(fields[name], value) : value;
    });
    return { fields: fields, files: files };
  }

  function clearErrors(form) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-queued-error]"), function (element) { element.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll(".invalid[data-queued-invalid]"), function (element) {
      element.classList.remove("invalid");
      element.removeAttribute("data-queued-invalid");
    });
  }

  // The outbox keeps a refusal as lines: the server's detail, then "field: reasons" per field.
  function showRefusal(form, reason) {
    var lines = (reason || "").split("\n");
    var detail = lines.shift();
    var others = [];
    var first = null;
    lines.forEach(function (line) {
      var cut = line.indexOf(": ");
      var name = cut === -1 ? "" : line.slice(0, cut);
      var field = name ? form.elements[name] : null;
      if (field && !field.nodeType) field = field[0];
      if (!field || field.type === "hidden") {
        var said = cut === -1 ? line : line.slice(cut + 2);
        if (said !== detail) others.push(said);
        return;
      }
      var holder = field.closest("label") || field.parentNode;
      holder.classList.add("invalid");
      holder.setAttribute("data-queued-invalid", "");
      var error = document.createElement("span");
      error.className = "field-error";
      error.setAttribute("role", "alert");
      error.setAttribute("data-queued-error", "");
      error.textContent = line.slice(cut + 2);
      holder.appendChild(error);
      first = first || field;
    });
    show(form, "refused", [detail || text.msgRefused].concat(others));
    if (first) first.focus({ preventScroll: true });
  }

  function follow(answer) {
    if (answer.message) sessionStorage.setItem(FLASH, answer.message);
    window.location.assign(answer.next);
  }

  function markWaiting(form) {
    if (!("outboxOnce" in form.dataset)) return;
    Array.prototype.forEach.call(buttons(form), function (button) { button.disabled = true; });
    show(form, "kept", [text.msgWaiting]);
  }

  // What became of entry `id` sent from `form`: true once it is settled (sent or refused).
  // `here`: just sent, the form still holds what was typed (the page may move on to `next`; a
  // refusal is shown in the form and the entry dropped, the form keeping all that was typed).
  function outcome(form, id, here) {
    return GGOutbox.all().then(function (entries) {
      var entry = entries.filter(function (e) { return e.id === id; })[0];
      if (!entry) return true;
      if (entry.state === "sent") {
        var answer = entry.result || {};
        GGOutbox.remove(id);
        if (here && answer.next) { follow(answer); return true; }
        // Sent later while the page stayed open: said here, without leaving what is being typed.
        if (here) { form.reset(); setBusy(form, false); }
        show(form, "sent", [answer.message || text.msgSent]);
        return true;
      }
      if (entry.state === "refused") {
        setBusy(form, false);
        showRefusal(form, entry.reason);
        if (here) GGOutbox.remove(id);
        return true;
      }
      return false;
    });
  }

  function watch(form, id) {
    GGOutbox.onChange(function () {
      if (form.dataset.watching !== String(id)) return;
      outcome(form, id, false).then(function (settled) { if (settled) form.dataset.watching = ""; });
    });
    form.dataset.watching = String(id);
  }

  function attach(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (form.dataset.busy) return;
      var submitter = event.submitter;
      setBusy(form, true);
      clearErrors(form);
      runHooks(form).then(function (go) {
        if (!go) { setBusy(form, false); return; }
        var kept = collect(form, submitter);
        kept.fields.uuid = GGOutbox.uuid();
        kept.fields.at = new Date().toISOString();
        return GGOutbox.add({
          kind: form.dataset.outbox, label: form.dataset.label || document.title, url: form.action,
          fields: kept.fields, files: kept.files,
        }).then(function (id) {
          show(form, "kept", [text.msgSending]);
          return GGOutbox.flush().then(function () { return outcome(form, id, true); }).then(function (settled) {
            if (settled) return;
            // No answer: kept on the phone. The form is free again (or, once-only, waits).
            form.reset();
            setBusy(form, false);
            show(form, "kept", [text.msgKept]);
            markWaiting(form);
            watch(form, id);
          });
        });
      }).catch(function (error) {
        setBusy(form, false);
        show(form, "refused", [String(error)]);
      });
    });
  }

  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-outbox]"));
  forms.forEach(attach);

  // A once-only form whose record still waits on the phone (kept offline, the page reloaded).
  GGOutbox.all().then(function (entries) {
    entries.forEach(function (entry) {
      if (entry.state !== "waiting") return;
      forms.forEach(function (form) {
        if (form.action === entry.url && "outboxOnce" in form.dataset) { markWaiting(form); watch(form, entry.id); }
      });
    });
  }).catch(function () { /* IndexedDB refused (a private window): nothing kept to show */ });

  // The message of what was just done, carried over to the page it led to.
  var flash = sessionStorage.getItem(FLASH);
  if (flash) {
    sessionStorage.removeItem(FLASH);
    var list = document.createElement("ul");
    list.className = "messages";
    list.setAttribute("role", "status");
    var item = document.createElement("li");
    item.className = "success";
    item.textContent = flash;
    list.appendChild(item);
    var main = document.querySelector("main");
    if (main) main.insertBefore(list, main.firstChild);
  }

  window.GGQueuedForm = { before: before };
})();
