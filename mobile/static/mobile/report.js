/* Report a problem in under a minute: the category (used recently first, a search, or major
 * then minor), photos shrunk on the phone, the position from the GPS with its accuracy
 * (the marker can be dragged), a description. The report goes into the outbox first, then to
 * the server: with no signal it waits on the phone and is sent by itself later. */
(function () {
  "use strict";

  var form = document.querySelector("[data-report-form]");
  if (!form) return;
  var messages = form.dataset;
  var result = document.querySelector("[data-result]");
  var photos = GGPhotoList.attach(form);
  var uuidField = form.querySelector("[name=client_uuid]");
  var latField = form.querySelector("[data-lat]");
  var lngField = form.querySelector("[data-lng]");
  var onSpot = form.querySelector("[data-on-spot]");
  var onSpotPhotos = form.querySelector("[data-on-spot-photos]");
  var submit = form.querySelector("[data-submit]");

  function fresh() { uuidField.value = GGOutbox.uuid(); }
  if (!uuidField.value) fresh();

  var format = GGMobile.format;

  // --- Category -----------------------------------------------------------------------------
  var select = form.querySelector("[data-category-select]");
  var tree = JSON.parse(document.getElementById("category-tree").textContent);
  var picker = form.querySelector("[data-picker]");
  var search = form.querySelector("[data-category-search]");
  var names = {};
  tree.majors.forEach(function (major) {
    major.minors.forEach(function (minor) { names[minor[0]] = { name: minor[1], major: major.name }; });
  });

  function chip(box, code, label, pressed, onClick) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.dataset.code = code;
    button.setAttribute("aria-pressed", pressed ? "true" : "false");
    button.addEventListener("click", onClick);
    box.appendChild(button);
  }

  function choose(code) {
    select.value = code;
    search.value = "";
    drawPicker();
  }

  var openMajor = null;
  function drawPicker() {
    var chosen = select.value;
    var recentBox = picker.querySelector("[data-recent]");
    var majorsBox = picker.querySelector("[data-majors]");
    var minorsBox = picker.querySelector("[data-minors]");
    recentBox.textContent = majorsBox.textContent = minorsBox.textContent = "";
    var query = search.value.trim();
    picker.querySelector("[data-recent-title]").hidden = Boolean(query) || !tree.recent.length;
    picker.querySelector("[data-majors-title]").hidden = Boolean(query);
    if (query) {
      Object.keys(names).filter(function (code) {
        return (names[code].name + names[code].major + code).indexOf(query) !== -1;
      }).slice(0, 30).forEach(function (code) {
        chip(minorsBox, code, names[code].major + " · " + names[code].name, code === chosen, function () { choose(code); });
      });
    } else {
      tree.recent.forEach(function (code) {
        if (names[code]) chip(recentBox, code, names[code].name, code === chosen, function () { choose(code); });
      });
      tree.majors.forEach(function (major) {
        chip(majorsBox, major.code, major.name, major.code === openMajor, function () {
          openMajor = openMajor === major.code ? null : major.code;
          drawPicker();
        });
        if (major.code === openMajor) {
          major.minors.forEach(function (minor) {
            chip(minorsBox, minor[0], minor[1], minor[0] === chosen, function () { choose(minor[0]); });
          });
        }
      });
    }
    picker.querySelector("[data-chosen]").textContent = chosen && names[chosen] ? "✓ " + names[chosen].major + " · " + names[chosen].name : "";
  }
  picker.hidden = false;
  select.hidden = true;
  search.addEventListener("input", drawPicker);
  drawPicker();

  // --- Fixed on the spot ----------------------------------------------------------------------
  function showOnSpot() { onSpotPhotos.hidden = !onSpot.checked; }
  onSpot.addEventListener("change", showOnSpot);
  showOnSpot();

  // --- Position -----------------------------------------------------------------------------
  var gps = form.querySelector("[data-gps]");
  var mapElement = form.querySelector("[data-report-map]");
  var settings = mapElement && window.L ? GovgridMap.settingsOf(mapElement) : null;
  var map = null, marker = null, circle = null, watch = null, byHand = false, best = null;
  var GOOD_ENOUGH_METRES = 15;
  var WATCH_MS = 60000;

  if (settings) {
    map = GovgridMap.showGrids(mapElement, JSON.parse(document.getElementById("my-grids").textContent), "#b71c1c");
    map.on("click", function (event) { place(event.latlng, true); });
  }

  function stored(latlng) {
    var point = GovgridMap.toStored({ type: "Point", coordinates: [latlng.lng, latlng.lat] }, settings);
    return { lat: point.coordinates[1], lng: point.coordinates[0] };
  }

  // A position shown on the map (display coordinates) or from the GPS (WGS-84, `wgs`).
  function place(latlng, handPlaced, wgs, accuracy) {
    var position = wgs || stored(latlng);
    latField.value = position.lat.toFixed(7);
    lngField.value = position.lng.toFixed(7);
    if (handPlaced) {
      byHand = true;
      gps.textContent = mapElement.dataset.msgMoved;
      if (circle) { circle.remove(); circle = null; }
    }
    if (!map) return;
    if (!marker) {
      marker = L.marker(latlng, { draggable: true, autoPan: true, alt: mapElement.dataset.msgMarker, title: mapElement.dataset.msgMarker }).addTo(map);
      marker.on("dragend", function () { place(marker.getLatLng(), true); });
    } else {
      marker.setLatLng(latlng);
    }
    if (accuracy != null) {
      if (!circle) circle = L.circle(latlng, { radius: accuracy, weight: 1, fillOpacity: 0.1, interactive: false }).addTo(map);
      else circle.setLatLng(latlng).setRadius(accuracy);
    }
    if (!handPlaced) map.setView(latlng, Math.max(map.getZoom(), 17), { animate: false });
  }

  function located(position) {
    var coords = position.coords;
    if (byHand || (best && coords.accuracy >= best)) return;
    best = coords.accuracy;
    var wgs = { lat: coords.latitude, lng: coords.longitude };
    var shown = settings ? GovgridMap.displayLatLng(wgs.lat, wgs.lng, settings) : null;
    gps.textContent = format(mapElement.dataset.msgAccuracy, { metres: Math.round(coords.accuracy) });
    if (shown) place(shown, false, wgs, coords.accuracy);
    else { latField.value = wgs.lat.toFixed(7); lngField.value = wgs.lng.toFixed(7); }
    if (coords.accuracy <= GOOD_ENOUGH_METRES) stopWatching();
  }

  function failed(error) {
    if (latField.value) return;
    gps.textContent = error.code === 1 ? mapElement.dataset.msgDenied : mapElement.dataset.msgUnavailable;
  }

  function stopWatching() {
    if (watch !== null) navigator.geolocation.clearWatch(watch);
    watch = null;
  }

  function locate() {
    if (!navigator.geolocation) { failed({ code: 2 }); return; }
    stopWatching();
    byHand = false;
    best = null;
    watch = navigator.geolocation.watchPosition(located, failed, { enableHighAccuracy: true, maximumAge: 10000, timeout: 30000 });
    setTimeout(stopWatching, WATCH_MS);
  }
  form.querySelector("[data-locate]").addEventListener("click", locate);
  if (latField.value && settings) {
    place(GovgridMap.displayLatLng(+latField.value, +lngField.value, settings), true, { lat: +latField.value, lng: +lngField.value });
  } else {
    locate();
  }

  // --- Sending ------------------------------------------------------------------------------
  function problems() {
    var found = [];
    if (!select.value) found.push(messages.msgCategory);
    if (!latField.value || !lngField.value) found.push(messages.msgPosition);
    if (!form.elements.description.value.trim()) found.push(messages.msgDescription);
    if (onSpot.checked && (!photos.count("before_photos") || !photos.count("after_photos"))) found.push(messages.msgOnSpot);
    return found;
  }

  function show(kind, lines, extra, scroll) { GGMobile.showResult(result, kind, lines, extra, scroll); }

  function link(text, href) {
    var a = document.createElement("a");
    a.className = "button";
    a.textContent = text;
    a.href = href;
    return a;
  }

  // What became of the report kept as `id`: sent (its code, grid and deadline), refused (why,
  // and a way to correct it), or still waiting for a connection.
  function outcome(id) {
    return GGOutbox.all().then(function (entries) {
      var entry = entries.filter(function (e) { return e.id === id; })[0];
      if (!entry) return true;
      if (entry.state === "sent") {
        var answer = entry.result || {};
        show("sent", [format(messages.msgSent, {
          code: answer.code, grid: answer.grid || messages.msgNoGrid, deadline: answer.deadline || "—",
        })], answer.url ? link(messages.msgOpen, answer.url) : null);
        return true;
      }
      if (entry.state === "refused") {
        var fix = document.createElement("button");
        fix.type = "button";
        fix.className = "primary";
        fix.textContent = messages.msgFix;
        fix.addEventListener("click", function () { refill(entry); });
        show("refused", [messages.msgRefused].concat(entry.reason.split("\n")), fix);
        return true;
      }
      show("kept", [navigator.onLine ? messages.msgSending : messages.msgKept]);
      return false;
    });
  }

  function refill(entry) {
    Object.keys(entry.fields).forEach(function (name) {
      var field = form.elements[name];
      if (!field || field.type === "file" || name === "client_uuid") return;
      if (field.type === "checkbox") field.checked = entry.fields[name] === "true";
      else field.value = entry.fields[name];
    });
    ["photos", "before_photos", "after_photos"].forEach(function (name) {
      photos.set(name, (entry.files || []).filter(function (f) { return f.name === name; }).map(function (f) {
        return new File([f.blob], f.filename, { type: f.blob.type });
      }));
    });
    showOnSpot();
    drawPicker();
    if (settings && latField.value) place(GovgridMap.displayLatLng(+latField.value, +lngField.value, settings), true, { lat: +latField.value, lng: +lngField.value });
    fresh();
    GGOutbox.remove(entry.id);
    result.hidden = true;
    form.scrollIntoView({ block: "start" });
  }

  function sentPhotos() {
    return photos.files().filter(function (file) { return onSpot.checked || file.name === "photos"; });
  }

  var watching = null;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var found = problems();
    if (found.length) { show("refused", found, null, true); return; }
    var fields = {
      client_uuid: uuidField.value,
      category: select.value,
      description: form.elements.description.value.trim(),
      latitude: latField.value,
      longitude: lngField.value,
      address: form.elements.address.value.trim(),
      handled_on_spot: onSpot.checked ? "true" : "false",
    };
    var label = (names[select.value] ? names[select.value].name + " · " : "") + fields.description.slice(0, 30);
    submit.disabled = true;
    GGOutbox.add({ kind: "report", label: label, url: form.action || location.pathname, fields: fields, files: sentPhotos() })
      .then(function (id) {
        // Kept on the phone: the form is free for the next report.
        form.elements.description.value = "";
        form.elements.address.value = "";
        onSpot.checked = false;
        showOnSpot();
        photos.clear();
        fresh();
        watching = id;
        select.value = "";  // the next problem is chosen afresh, not taken for this one's kind
        drawPicker();
        show("kept", [messages.msgSending], null, true);
        return GGOutbox.flush().then(function () { return outcome(id); });
      })
      .catch(function (error) { show("refused", [String(error)]); })
      .then(function () { submit.disabled = false; });
  });

  // A report kept offline is sent later, maybe while this page is still open: say so.
  GGOutbox.onChange(function () { if (watching !== null) outcome(watching).then(function (done) { if (done) watching = null; }); });
})();
