/* The day's patrol (巡查). While it runs the phone records its GPS track and sends it in
 * batches through the outbox (kept on the phone with no signal, like reports); the server thins
 * the track and works out the distance and the share of the grid covered. Check-ins at the
 * compounds on the way go the same road. The patrol survives a reload: its UUID, made on the
 * phone, and the points not yet sent are kept in this browser's storage. */
(function () {
  "use strict";

  var box = document.querySelector("[data-patrol]");
  if (!box) return;
  var text = box.dataset;
  var api = text.api;
  var KEY = "gg-patrol:" + document.body.dataset.user;
  var BATCH_MS = 30000;
  var BATCH_POINTS = 20;
  // As the server thins the track (PATROL_THIN_METRES, PATROL_MAX_ACCURACY_M), so the distance
  // shown while walking is the one the server will count.
  var MIN_STEP_METRES = +text.thinMetres;
  var WORST_ACCURACY_METRES = +text.maxAccuracy;

  var server = JSON.parse(document.getElementById("patrol-state").textContent);
  var compounds = JSON.parse(document.getElementById("compounds").textContent);
  var state = load();
  var watch = null, lastFix = null, wakeLock = null, batchTimer = null;
  var checkedIn = [];  // compounds checked in at on this patrol, from this page

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY)) || null; } catch (error) { return null; }
  }

  function save() {
    if (state) localStorage.setItem(KEY, JSON.stringify(state));
    else localStorage.removeItem(KEY);
  }

  var format = GGMobile.format;

  function metres(a, b) {
    var rad = Math.PI / 180;
    var dLat = (b[0] - a[0]) * rad, dLng = (b[1] - a[1]) * rad;
    var h = Math.sin(dLat / 2) * Math.sin(dLat / 2)
      + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLng / 2) * Math.sin(dLng / 2);
    return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
  }

  function clock(iso) {
    var date = new Date(iso);
    return ("0" + date.getHours()).slice(-2) + ":" + ("0" + date.getMinutes()).slice(-2);
  }

  // A patrol the server knows to be running but this phone does not (its storage was cleared,
  // or it started on another phone) is carried on from here.
  if (!state && server && server.running) {
    state = { uuid: server.uuid, startedAt: server.started_at, track: [], buffer: [], distance: server.distance_m };
    save();
  }

  // --- The map ------------------------------------------------------------------------------
  var mapElement = document.querySelector("[data-patrol-map]");
  var settings = mapElement && window.L ? GovgridMap.settingsOf(mapElement) : null;
  var map = null, line = null, here = null;
  if (settings) {
    map = GovgridMap.showGrids(mapElement, JSON.parse(document.getElementById("my-grids").textContent), "#b71c1c");
    line = L.polyline([], { color: "#1565c0", weight: 4 }).addTo(map);
  }

  function shown(point) { return GovgridMap.displayLatLng(point[0], point[1], settings); }

  function drawTrack() {
    if (!line) return;
    line.setLatLngs((state ? state.track : []).map(shown));
  }

  // --- What the page says ---------------------------------------------------------------------
  var figures = { km: "0.00", coverage: null };

  function showState() {
    var running = !!state;
    box.querySelector("[data-start]").hidden = running;
    box.querySelector("[data-stop]").hidden = !running;
    var hint = box.querySelector("[data-hint]");
    hint.hidden = !running;
    hint.textContent = text.msgKeepOpen;
    document.querySelector("[data-checkins]").hidden = !running || !compounds.length;
    var stateLine = box.querySelector("[data-state]");
    if (running) {
      stateLine.textContent = format(text.msgRunning, { time: clock(state.startedAt) });
      var minutes = Math.round((Date.now() - new Date(state.startedAt).getTime()) / 60000);
      box.querySelector("[data-figures]").textContent = figuresText(state.distance, minutes, figures.coverage);
    } else if (server && !server.running) {
      stateLine.textContent = format(text.msgDone, { start: clock(server.started_at), end: clock(server.ended_at) });
      var spent = Math.round((new Date(server.ended_at) - new Date(server.started_at)) / 60000);
      box.querySelector("[data-figures]").textContent = figuresText(server.distance_m, spent, server.coverage);
    } else {
      stateLine.textContent = text.msgIdle;
      box.querySelector("[data-figures]").textContent = "";
    }
    showPoints();
  }

  function figuresText(metres, minutes, coverage) {
    var values = { km: (metres / 1000).toFixed(2), minutes: minutes, coverage: coverage == null ? "" : Math.round(coverage * 100) + "%" };
    return format(coverage == null ? text.msgFiguresSoFar : text.msgFigures, values);
  }

  function showPoints() {
    var line = box.querySelector("[data-points]");
    if (!state) { line.textContent = ""; return; }
    GGOutbox.all().then(function (entries) {
      var waiting = entries.filter(function (e) { return e.state === "waiting" && e.kind === "patrol"; }).length;
      line.textContent = format(text.msgPoints, { count: state.track.length, waiting: waiting + (state.buffer.length ? 1 : 0) });
    });
  }

  // The server's latest word on the running patrol: its thinned distance and its coverage.
  function serverFigures() {
    if (!state) return;
    GGOutbox.all().then(function (entries) {
      if (!state) return;  // stopped meanwhile
      entries.forEach(function (entry) {
        var patrol = entry.result && (entry.result.patrol || entry.result);
        if (entry.state === "sent" && patrol && patrol.uuid === state.uuid && patrol.coverage !== undefined) {
          figures.coverage = patrol.coverage;
        }
      });
      showState();
    });
  }

  // --- Recording ------------------------------------------------------------------------------
  function send(kind, url, json) {
    return GGOutbox.add({ kind: "patrol", label: kind, url: url, json: json }).then(function () { return GGOutbox.flush(); });
  }

  function sendBatch() {
    if (!state || !state.buffer.length) return Promise.resolve();
    var points = state.buffer;
    state.buffer = [];
    save();
    return send("points", api + state.uuid + "/points/", { points: points });
  }

  function fix(position) {
    var coords = position.coords;
    lastFix = [coords.latitude, coords.longitude, coords.accuracy];
    box.querySelector("[data-gps]").textContent = format(text.msgGps, { metres: Math.round(coords.accuracy) });
    if (map) {
      var at = shown(lastFix);
      if (!here) here = L.circleMarker(at, { radius: 7, color: "#fff", weight: 2, fillColor: "#1565c0", fillOpacity: 1 }).addTo(map);
      else here.setLatLng(at);
    }
    drawCompounds();
    if (!state || coords.accuracy > WORST_ACCURACY_METRES) return;
    var point = [coords.latitude, coords.longitude];
    var last = state.track[state.track.length - 1];
    if (last && metres(last, point) < MIN_STEP_METRES) return;
    if (last) state.distance += metres(last, point);
    state.track.push(point);
    state.buffer.push({ t: position.timestamp || Date.now(), lat: coords.latitude, lng: coords.longitude, accuracy: coords.accuracy });
    save();
    drawTrack();
    showState();
    if (state.buffer.length >= BATCH_POINTS) sendBatch();
  }

  function gpsFailed(error) {
    if (error.code === 1) box.querySelector("[data-gps]").textContent = text.msgGpsDenied;
  }

  function record() {
    if (!navigator.geolocation || watch !== null) return;
    watch = navigator.geolocation.watchPosition(fix, gpsFailed, { enableHighAccuracy: true, maximumAge: 5000, timeout: 60000 });
    batchTimer = setInterval(sendBatch, BATCH_MS);
    keepAwake();
  }

  function stopRecording() {
    if (watch !== null) navigator.geolocation.clearWatch(watch);
    watch = null;
    clearInterval(batchTimer);
    if (wakeLock) wakeLock.release().catch(function () {});
    wakeLock = null;
  }

  // The screen stays on while the patrol runs: a locked phone stops reporting its position.
  function keepAwake() {
    if (!navigator.wakeLock) return;
    navigator.wakeLock.request("screen").then(function (lock) { wakeLock = lock; }).catch(function () {});
  }
  document.addEventListener("visibilitychange", function () { if (!document.hidden && state) keepAwake(); });

  box.querySelector("[data-start]").addEventListener("click", function () {
    state = { uuid: GGOutbox.uuid(), startedAt: new Date().toISOString(), track: [], buffer: [], distance: 0 };
    save();
    figures.coverage = null;
    if (lastFix && lastFix[2] <= WORST_ACCURACY_METRES) state.track.push([lastFix[0], lastFix[1]]);
    send("start", api, { uuid: state.uuid, started_at: state.startedAt });
    record();
    drawTrack();
    showState();
  });

  box.querySelector("[data-stop]").addEventListener("click", function () {
    if (!window.confirm(text.msgConfirmStop)) return;
    var uuid = state.uuid;
    var startedAt = state.startedAt;
    var distance = state.distance;
    stopRecording();
    sendBatch().then(function () {
      var endedAt = new Date().toISOString();
      state = null;
      save();
      server = { uuid: uuid, running: false, started_at: startedAt, ended_at: endedAt, distance_m: distance, coverage: figures.coverage };
      showState();
      return send("stop", api + uuid + "/stop/", { ended_at: endedAt });
    }).then(function () {
      return GGOutbox.all();
    }).then(function (entries) {
      // Once the stop is through, the server's figures: the thinned distance and the coverage.
      var stopped = entries.filter(function (e) { return e.state === "sent" && e.result && e.result.uuid === uuid; }).pop();
      if (stopped) {
        server = { uuid: uuid, running: false, started_at: stopped.result.started_at, ended_at: stopped.result.ended_at,
          distance_m: stopped.result.distance_m, coverage: stopped.result.coverage };
        showState();
      }
    });
  });

  // --- Check-ins ------------------------------------------------------------------------------
  function drawCompounds() {
    var list = document.querySelector("[data-compounds]");
    if (!list || !state) return;
    var sorted = compounds.map(function (c) {
      return { compound: c, metres: lastFix ? metres(lastFix, [c.lat, c.lng]) : null };
    }).sort(function (a, b) { return (a.metres == null ? 1e9 : a.metres) - (b.metres == null ? 1e9 : b.metres); }).slice(0, 8);
    list.textContent = "";
    sorted.forEach(function (row) {
      var item = document.createElement("li");
      var name = document.createElement("span");
      name.textContent = row.compound.name + (row.metres == null ? "" : " · " + format(text.msgMetres, { metres: Math.round(row.metres) }));
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      var done = checkedIn.indexOf(row.compound.id) !== -1;
      button.textContent = done ? text.msgChecked : text.msgCheckIn;
      button.disabled = done;
      button.addEventListener("click", function () { checkIn(row.compound, item, button); });
      item.appendChild(name);
      item.appendChild(button);
      var said = document.createElement("small");
      said.dataset.said = "";
      item.appendChild(said);
      list.appendChild(item);
    });
  }

  function checkIn(compound, item, button) {
    var said = item.querySelector("[data-said]");
    if (!lastFix) { said.textContent = text.msgGpsDenied; return; }
    var away = metres(lastFix, [compound.lat, compound.lng]);
    if (away > +text.radius) {
      said.textContent = format(text.msgTooFar, { metres: Math.round(away), radius: text.radius });
      return;
    }
    var uuid = GGOutbox.uuid();
    send("checkin", api + state.uuid + "/checkins/", {
      uuid: uuid, compound: compound.id, lat: lastFix[0], lng: lastFix[1], at: new Date().toISOString(),
    }).then(function () {
      return GGOutbox.all();
    }).then(function (entries) {
      var entry = entries.filter(function (e) { return e.json && e.json.uuid === uuid; })[0];
      if (entry && entry.state === "refused") { said.textContent = entry.reason; return; }
      said.textContent = format(entry && entry.state === "waiting" ? text.msgCheckinKept : text.msgCheckedIn, { name: compound.name });
      checkedIn.push(compound.id);
      button.textContent = text.msgChecked;
      button.disabled = true;
    });
  }

  GGOutbox.onChange(serverFigures);
  if (state) {
    record();
    drawTrack();
  } else if (navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(fix, gpsFailed, { enableHighAccuracy: true, timeout: 30000 });
  }
  serverFigures();
  showState();
})();
