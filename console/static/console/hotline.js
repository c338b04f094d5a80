/* The hotline form: a click on the map places the problem (stored as WGS-84). */
(function () {
  "use strict";

  var element = document.querySelector("[data-pick-map]");
  if (!element || !window.L) return;
  var settings = GovgridMap.settingsOf(element);
  var map = GovgridMap.createMap(element, settings);
  var grids = GovgridMap.geoJSON(JSON.parse(document.getElementById("map-grids").textContent), settings, {
    style: { color: "#1565c0", weight: 1, fillOpacity: 0.05 },
    onEachFeature: function (feature, layer) { layer.bindTooltip(feature.properties.name, { sticky: true }); },
  }).addTo(map);
  if (grids.getLayers().length) map.fitBounds(grids.getBounds(), { animate: false });
  var latitude = document.querySelector("input[name=latitude]");
  var longitude = document.querySelector("input[name=longitude]");
  var said = document.querySelector("[data-picked-position]");
  var marker = null;

  function place(latlng) {
    if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng).addTo(map);
  }

  function pick(event) {
    var stored = GovgridMap.toStored({ type: "Point", coordinates: [event.latlng.lng, event.latlng.lat] }, settings);
    longitude.value = stored.coordinates[0];
    latitude.value = stored.coordinates[1];
    place(event.latlng);
    said.textContent = stored.coordinates[1].toFixed(6) + ", " + stored.coordinates[0].toFixed(6);
  }
  map.on("click", pick);
  grids.on("click", pick);
  if (latitude.value && longitude.value) {
    place(GovgridMap.displayLatLng(+latitude.value, +longitude.value, settings));
    said.textContent = (+latitude.value).toFixed(6) + ", " + (+longitude.value).toFixed(6);
  }
})();
