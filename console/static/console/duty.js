/* Emergency duty pages: the campaign's map (grid outlines without tiles, its checkpoints; a click
 * places a new checkpoint by filling the form's position), the print button of a roster, the
 * confirmation of ending a campaign or closing a checkpoint, and the swap picker, which offers
 * only the people free for the shift chosen. */
(function () {
  "use strict";

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  // The server refuses a busy person anyway; the picker spares the round trip. The shift's own
  // holder is left out, people busy then are shown disabled.
  document.querySelectorAll("[data-swap-form]").forEach(function (form) {
    var shift = form.querySelector("[data-swap-shift]");
    var person = form.querySelector("[data-swap-person]");
    var busyLabel = person.dataset.busyLabel;
    Array.prototype.forEach.call(person.options, function (option) { option.dataset.name = option.textContent; });
    function narrow() {
      var chosen = shift.options[shift.selectedIndex];
      var free = chosen ? chosen.dataset.free.split(",").filter(Boolean) : [];
      var first = null;
      var holder = chosen ? chosen.dataset.holder : "";
      Array.prototype.forEach.call(person.options, function (option) {
        var isFree = free.indexOf(option.value) >= 0;
        option.hidden = option.value === holder;
        option.disabled = !isFree;
        option.textContent = isFree ? option.dataset.name : option.dataset.name + " (" + busyLabel + ")";
        if (isFree && first === null) first = option;
      });
      if (person.selectedOptions.length === 0 || person.selectedOptions[0].disabled) {
        if (first) first.selected = true;
      }
      // Nobody free for this shift: nothing to ask.
      form.querySelector("button[type=submit]").disabled = first === null;
    }
    shift.addEventListener("change", narrow);
    narrow();
  });

  var element = document.querySelector("[data-duty-map]");
  if (!element || !window.L) return;
  var settings = GovgridMap.settingsOf(element);
  var map = GovgridMap.createMap(element, settings);
  var data = JSON.parse(document.getElementById("duty-map-data").textContent);

  var grids = GovgridMap.geoJSON(data.grids, settings, {
    style: function () { return { className: "grid-area", color: "#1565c0", weight: 1, fillColor: "#e3f2fd", fillOpacity: 0.55 }; },
    onEachFeature: function (feature, layer) { layer.bindTooltip(feature.properties.name, { sticky: true }); },
  }).addTo(map);

  var checkpoints = GovgridMap.geoJSON(data.checkpoints, settings, {
    pointToLayer: function (feature, latlng) {
      var closed = feature.properties.closed;
      return L.circleMarker(latlng, {
        radius: 9, color: closed ? "#607d8b" : "#b71c1c", weight: 2, fillColor: closed ? "#cfd8dc" : "#e53935", fillOpacity: 0.95,
        className: "checkpoint-marker",
      });
    },
    onEachFeature: function (feature, layer) {
      // Named on the map itself: without tiles the names are the only landmarks.
      layer.bindTooltip(GovgridMap.textLines([feature.properties.name]), { permanent: true, direction: "right", className: "checkpoint-label" });
    },
  }).addTo(map);

  // The checkpoints with room around them (a lone one at street level), else the whole town.
  var points = checkpoints.getLayers();
  if (points.length === 1) {
    map.setView(points[0].getLatLng(), 15, { animate: false });
  } else if (points.length) {
    map.fitBounds(checkpoints.getBounds().pad(0.25), { animate: false, padding: [40, 40], maxZoom: 16 });
  } else if (grids.getLayers().length) {
    map.fitBounds(grids.getBounds(), { animate: false });
  }

  var form = document.querySelector("[data-checkpoint-form]");
  if (!form || element.dataset.pick !== "1") return;
  var latitude = form.querySelector("[name=latitude]");
  var longitude = form.querySelector("[name=longitude]");
  var placed = null;
  map.on("click", function (event) {
    // The map may be drawn in GCJ-02: the form takes the stored (WGS-84) position.
    var stored = GovgridMap.toStored({ type: "Point", coordinates: [event.latlng.lng, event.latlng.lat] }, settings);
    latitude.value = stored.coordinates[1].toFixed(6);
    longitude.value = stored.coordinates[0].toFixed(6);
    if (placed) placed.remove();
    placed = L.circleMarker(event.latlng, { radius: 8, color: "#1b5e20", weight: 2, dashArray: "3", fillColor: "#66bb6a", fillOpacity: 0.8 }).addTo(map);
    var name = form.querySelector("[name=name]");
    if (name && !name.value) name.focus();
  });
})();
