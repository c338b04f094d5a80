/* The patrol page's map: the grids shaded by the day's coverage, each patrol's track in the colour
 * of its row; a row's worker (or a track) picks that track out and brings it into view. */
(function () {
  "use strict";

  var element = document.querySelector("[data-patrol-map]");
  if (!element || !window.L) return;
  var settings = GovgridMap.settingsOf(element);
  var map = GovgridMap.createMap(element, settings);
  var SHADES = { "cov-none": "#cfd8dc", "cov-0": "#ef9a9a", "cov-1": "#ffcc80", "cov-2": "#fff176", "cov-3": "#aed581", "cov-4": "#388e3c" };

  function percent(coverage) {
    if (coverage === null || coverage === undefined) return "—";
    return coverage > 0 && coverage < 0.005 ? "<1 %" : Math.round(coverage * 100) + " %";
  }

  var grids = GovgridMap.geoJSON(JSON.parse(document.getElementById("patrol-grids").textContent), settings, {
    style: function (feature) {
      return { className: "grid-area", color: "#1565c0", weight: 1, fillColor: SHADES[feature.properties.shade] || SHADES["cov-none"], fillOpacity: 0.55 };
    },
    onEachFeature: function (feature, layer) {
      layer.bindTooltip(GovgridMap.textLines([feature.properties.name, percent(feature.properties.coverage)]), { sticky: true });
    },
  }).addTo(map);

  var NORMAL = { weight: 3, opacity: 0.85 };
  var PICKED = { weight: 7, opacity: 1 };
  var byPatrol = {};
  var tracks = GovgridMap.geoJSON(JSON.parse(document.getElementById("patrol-tracks").textContent), settings, {
    style: function (feature) { return L.extend({ color: feature.properties.colour, className: "patrol-track" }, NORMAL); },
    onEachFeature: function (feature, layer) {
      byPatrol[feature.id] = layer;
      layer.bindTooltip(feature.properties.worker, { sticky: true });
      layer.on("click", function () { pick(String(feature.id)); });
    },
  }).addTo(map);

  var shown = tracks.getLayers().length ? tracks : grids;
  if (shown.getLayers().length) map.fitBounds(shown.getBounds(), { animate: false, padding: [12, 12] });

  var picked = null;
  function pick(id) {
    if (picked && byPatrol[picked]) byPatrol[picked].setStyle(NORMAL);
    document.querySelectorAll("[data-patrol]").forEach(function (row) {
      var on = row.dataset.patrol === id && picked !== id;
      row.classList.toggle("picked", on);
      var button = row.querySelector("[data-track]");
      if (button) button.setAttribute("aria-pressed", on ? "true" : "false");
    });
    if (picked === id) { picked = null; return; }  // a second click puts it back
    picked = id;
    var layer = byPatrol[id];
    if (!layer) return;
    layer.setStyle(PICKED);
    layer.bringToFront();
    map.fitBounds(layer.getBounds(), { animate: false, padding: [24, 24], maxZoom: 18 });
  }

  document.querySelectorAll("[data-track]").forEach(function (button) {
    button.addEventListener("click", function () { pick(button.dataset.track); });
  });
})();
