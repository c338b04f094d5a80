/* The phone's outbox: whatever a worker sends (a report with its photos, a patrol's track) is
 * first kept in IndexedDB, then sent in order. Nothing typed in an alley with no signal is lost.
 *
 * An entry is {id, kind, label, url, json | fields + files, csrf, state, tries, created,
 * sentAt, result, reason}. It waits until the server answers:
 *   2xx                      sent (the answer is kept a day, to show the case's code);
 *   400, 404, 409, 413, 422  refused, with the server's reason: never sent again by itself;
 *   a JSON 403               refused too (the server said no, not "who are you");
 *   no answer, 5xx, 401, another 403 or a redirect (logged out, a stale token)
 *                            left waiting, and the round stops: the next one tries again.
 * Each entry belongs to the worker logged in when it was kept, and is sent only while that
 * worker is the one logged in (a shared phone never sends one worker's report as another's).
 * Reports and patrols carry UUIDs made on the phone, so one sent twice (its answer lost on the
 * way back) is still one case. Used by the pages and by the service worker alike (no DOM).
 */
(function (scope) {
  "use strict";

  var DB_NAME = "govgrid";
  var STORE = "outbox";
  var SYNC_TAG = "gg-outbox";
  var KEEP_SENT_MS = 24 * 3600 * 1000;
  var REFUSED = [400, 404, 409, 410, 413, 422];
  var channel = "BroadcastChannel" in scope ? new BroadcastChannel("gg-outbox") : null;
  var running = null;
  var owner = null;  // the worker logged in, as the pages say; the service worker reads it kept
  var OWNER_KEY = "owner";

  function request(idbRequest) {
    return new Promise(function (resolve, reject) {
      idbRequest.onsuccess = function () { resolve(idbRequest.result); };
      idbRequest.onerror = function () { reject(idbRequest.error); };
    });
  }

  function store(mode, work) {
    var opening = indexedDB.open(DB_NAME, 1);
    opening.onupgradeneeded = function () {
      opening.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
    };
    return request(opening).then(function (db) {
      var transaction = db.transaction(STORE, mode);
      var result = work(transaction.objectStore(STORE));
      return new Promise(function (resolve, reject) {
        transaction.oncomplete = function () { db.close(); resolve(result); };
        transaction.onerror = transaction.onabort = function () { db.close(); reject(transaction.error); };
      });
    });
  }

  function all() {
    var found = [];
    return store("readonly", function (objects) {
      objects.openCursor().onsuccess = function (event) {
        var cursor = event.target.result;
        if (cursor) {
          if (typeof cursor.value.id === "number") found.push(cursor.value);
          cursor.continue();
        }
      };
    }).then(function () { return found; });
  }

  function put(entry) {
    return store("readwrite", function (objects) { objects.put(entry); });
  }

  function remove(id) {
    return store("readwrite", function (objects) { objects.delete(id); }).then(changed);
  }

  function changed() {
    if (channel) channel.postMessage("changed");
    if (scope.dispatchEvent && typeof CustomEvent === "function") scope.dispatchEvent(new CustomEvent("gg-outbox"));
  }

  function uuid() {
    if (scope.crypto && scope.crypto.randomUUID) return scope.crypto.randomUUID();
    // Pages served over plain HTTP (a test on the office network) have no randomUUID.
    var bytes = scope.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  // The page's token, fresher than the one kept with an entry (it changes at each login).
  function csrfToken() {
    if (typeof document === "undefined") return "";
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // entry: {kind, label, url, json} or {kind, label, url, fields: {name: value | [values]},
  // files: [{name, blob, filename}]}. Resolves with the entry's id once it is safely kept.
  function add(entry) {
    entry.owner = owner;
    entry.state = "waiting";
    entry.tries = 0;
    entry.created = Date.now();
    entry.csrf = csrfToken();
    var id;
    return copied(entry.files || []).then(function (files) {
      entry.files = files;
      return store("readwrite", function (objects) {
        objects.add(entry).onsuccess = function (event) { id = event.target.result; };
      });
    }).then(function () {
      changed();
      requestSync();
      return id;
    });
  }

  // The photos' bytes, copied: a File picked on the phone may be only a reference to a file the
  // camera app later moves or rewrites, and would then be unreadable when the signal returns.
  function copied(files) {
    return Promise.all(files.map(function (file) {
      return file.blob.arrayBuffer().then(function (bytes) {
        return { name: file.name, filename: file.filename, blob: new Blob([bytes], { type: file.blob.type }) };
      });
    }));
  }

  function requestSync() {
    if (typeof navigator === "undefined" || !navigator.serviceWorker || typeof document === "undefined") return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register(SYNC_TAG);
    }).catch(function () { /* no background sync: the pages send on load and when back online */ });
  }

  function body(entry) {
    if (entry.json) return JSON.stringify(entry.json);
    var form = new FormData();
    Object.keys(entry.fields || {}).forEach(function (name) {
      [].concat(entry.fields[name]).forEach(function (value) { form.append(name, value); });
    });
    (entry.files || []).forEach(function (file) { form.append(file.name, file.blob, file.filename); });
    return form;
  }

  // The server's words: {detail, errors: {label: [..]}} from the phone pages, {detail, field:
  // [..]} from the API.
  function reasonOf(answer, status) {
    if (!answer || typeof answer !== "object") return "HTTP " + status;
    var lines = answer.detail ? [String(answer.detail)] : [];
    var fields = answer.errors && typeof answer.errors === "object" ? answer.errors : answer;
    Object.keys(fields).forEach(function (name) {
      if (name === "detail" || name === "errors") return;
      var problems = [].concat(fields[name]).map(function (p) { return typeof p === "object" ? JSON.stringify(p) : String(p); });
      lines.push(name + ": " + problems.join(" "));
    });
    return lines.join("\n") || "HTTP " + status;
  }

  function json(response) {
    var type = response.headers.get("Content-Type") || "";
    return type.indexOf("json") !== -1 ? response.json().catch(function () { return null; }) : Promise.resolve(null);
  }

  // One entry to the server: resolves true to go on to the next, false to stop the round.
  function send(entry) {
    var headers = { Accept: "application/json", "X-CSRFToken": csrfToken() || entry.csrf };
    if (entry.json) headers["Content-Type"] = "application/json";
    entry.tries += 1;
    return fetch(entry.url, { method: "POST", body: body(entry), headers: headers, credentials: "same-origin", redirect: "manual" })
      .then(function (response) {
        return json(response).then(function (answer) {
          if (response.ok) {
            entry.state = "sent";
            entry.sentAt = Date.now();
            entry.result = answer;
            delete entry.files;  // the photos are on the server now
          } else if (REFUSED.indexOf(response.status) !== -1 || (response.status === 403 && answer)) {
            entry.state = "refused";
            entry.reason = reasonOf(answer, response.status);
            entry.lastError = "";
          } else {
            // Logged out (a redirect to the login page), a stale token, or the server down.
            entry.lastError = response.type === "opaqueredirect" || response.status === 401 || response.status === 403 ? "login" : "server";
          }
          return put(entry).then(function () { return entry.state !== "waiting"; });
        });
      }, function () {
        entry.lastError = "offline";
        return put(entry).then(function () { return false; });
      });
  }

  function prune(entries) {
    var now = Date.now();
    var old = entries.filter(function (e) { return e.state === "sent" && now - e.sentAt > KEEP_SENT_MS; });
    return Promise.all(old.map(function (e) { return store("readwrite", function (objects) { objects.delete(e.id); }); }));
  }

  function setOwner(username) {
    owner = username;
    return store("readwrite", function (objects) { objects.put({ id: OWNER_KEY, owner: username }); });
  }

  function keptOwner() {
    if (owner) return Promise.resolve(owner);
    return store("readonly", function (objects) { return objects.get(OWNER_KEY); }).then(function (got) {
      return got.result ? got.result.owner : null;
    });
  }

  function round() {
    return Promise.all([all(), keptOwner()]).then(function (found) {
      var entries = found[0];
      var current = found[1];
      var waiting = entries.filter(function (e) { return e.state === "waiting" && e.owner === current; });
      var index = 0;
      function next() {
        if (index >= waiting.length) return true;
        return send(waiting[index++]).then(function (goOn) { changed(); return goOn ? next() : false; });
      }
      return prune(entries).then(next);
    });
  }

  // Send what waits, in the order it was kept; one round at a time across the pages and the
  // service worker (Web Locks), so an entry is never sent by two of them at once.
  function flush() {
    if (running) return running;
    var work = scope.navigator && scope.navigator.locks
      ? scope.navigator.locks.request("gg-outbox", round)
      : round();
    running = work.catch(function () { return false; }).then(function (done) {
      running = null;
      changed();
      return done;
    });
    return running;
  }

  function onChange(listener) {
    if (channel) channel.addEventListener("message", listener);
    if (scope.addEventListener) scope.addEventListener("gg-outbox", listener);
  }

  scope.GGOutbox = {
    SYNC_TAG: SYNC_TAG,
    add: add,
    setOwner: setOwner,
    all: all,
    remove: remove,
    flush: flush,
    uuid: uuid,
    onChange: onChange,
    retry: function (entry) { entry.state = "waiting"; entry.reason = ""; return put(entry).then(changed).then(flush); },
  };
})(self);
