/* What the phone holds to send, entry by entry: waiting, sent (with the case's code), or
 * refused with the server's reason. A refused entry is never sent again by itself; it can be
 * removed, or sent again by hand. */
(function () {
  "use strict";

  var page = document.querySelector("[data-outbox-page]");
  if (!page) return;
  var text = page.dataset;
  var list = page.querySelector("[data-outbox-list]");

  function button(label, action) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "secondary";
    b.textContent = label;
    b.addEventListener("click", action);
    return b;
  }

  function line(tag, content, className) {
    var element = document.createElement(tag);
    element.textContent = content;
    if (className) element.className = className;
    return element;
  }

  var sendNow = page.querySelector("[data-send-now]");

  function draw() {
    GGOutbox.all().then(function (entries) {
      list.textContent = "";
      sendNow.hidden = !entries.some(function (e) { return e.state === "waiting"; });
      if (!entries.length) { list.appendChild(line("li", text.msgEmpty, "empty")); return; }
      entries.slice().reverse().forEach(function (entry) {
        var item = document.createElement("li");
        item.className = "entry " + entry.state;
        item.appendChild(line("strong", entry.label || entry.kind));
        item.appendChild(line("small", new Date(entry.created).toLocaleString()));
        if (entry.state === "sent") {
          var answer = entry.result || {};
          // A report's case code; a check-in's or a confirmation's own message (queued-form.js).
          item.appendChild(line("p", text.msgSent + (answer.code ? " · " + answer.code : answer.message ? " · " + answer.message : "")));
        } else if (entry.state === "refused") {
          item.appendChild(line("p", text.msgRefused));
          entry.reason.split("\n").forEach(function (reason) { item.appendChild(line("p", reason, "error")); });
          item.appendChild(button(text.msgRetry, function () { GGOutbox.retry(entry); }));
          item.appendChild(button(text.msgRemove, function () { if (window.confirm(text.msgConfirmRemove)) GGOutbox.remove(entry.id); }));
        } else {
          item.appendChild(line("p", entry.lastError === "login" ? text.msgLogin : text.msgWaiting));
        }
        list.appendChild(item);
      });
    });
  }

  sendNow.addEventListener("click", function () { GGOutbox.flush(); });
  GGOutbox.onChange(draw);
  draw();
})();
