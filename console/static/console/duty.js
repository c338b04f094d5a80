/* Emergency duty pages: the campaign's map (grid outlines without tiles, its checkpoints; a click
 * places a new checkpoint by filling the form's position) and the print button of a roster. */
(function () {
  "use strict";

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var element = document.querySelector("[data-duty-map]");
  if (!element || !window.L) return;
  var settings = GovgridMap.settingsOf(element);
  var map = GovgridMap.createMap(element, settings);
  var data = JSON.parse(document.getElementById("duty-map-data").textContent);

  var grids = GovgridMap.geoJSON(data.grids, settings, {
    style: function () { return { className: "grid-area", color: "#1565c0", weight: 1, fillColor: "#e3f2fd", fillOpacity: 0.35 }; },
    onEachFeature: function (feature, layer) { layer.bindTooltip(feature.properties.name, { sticky: true }); },
  }).addTo(map);

  var checkpoints = GovgridMap.geoJSON(data.checkpoints, settings, {
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, { radius: 8, color: "#b71c1c", weight: 2, fillColor: "#e53935", fillOpacity: 0.9, className: "checkpoint-marker" });
    },
    onEachFeature: function (feature, layer) {
      layer.bindTooltip(GovgridMap.textLines([feature.properties.name, feature.properties.grid]), { permanent: false });
    },
  }).addTo(map);

  var shown = checkpoints.getLayers().length ? checkpoints : grids;
  if (shown.getLayers().length) map.fitBounds(shown.getBounds(), { animate: false, padding: [24, 24], maxZoom: 16 });

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
