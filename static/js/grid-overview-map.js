/* The overview above the grid list: every grid coloured by community, every compound a point.
 * A grid or compound opens its change page when clicked. */
(function () {
  "use strict";

  function linkTo(layer, feature, lines) {
    layer.bindTooltip(GovgridMap.textLines(lines), { sticky: true });
    layer.on("click", function () { window.location.assign(feature.properties.url); });
  }

  function gridLayer(collection, settings) {
    return GovgridMap.geoJSON(collection, settings, {
      style: function (feature) {
        return { className: "grid-area", color: feature.properties.color, weight: 1.5, fillColor: feature.properties.color, fillOpacity: 0.25 };
      },
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        linkTo(layer, feature, [p.code + " " + p.name, p.community]);
        layer.on("mouseover", function () { layer.setStyle({ weight: 3, fillOpacity: 0.4 }); });
        layer.on("mouseout", function () { layer.setStyle({ weight: 1.5, fillOpacity: 0.25 }); });
      },
    });
  }

  function compoundLayer(collection, settings) {
    return GovgridMap.geoJSON(collection, settings, {
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, {
          className: "compound-point", radius: 4, weight: 1.5, color: "#1d2733", fillColor: feature.properties.is_old ? "#ff9800" : "#ffffff", fillOpacity: 1,
        });
      },
      onEachFeature: function (feature, layer) { linkTo(layer, feature, [feature.properties.name]); },
    });
  }

  function setUp(element) {
    var settings = GovgridMap.settingsOf(element);
    var data = JSON.parse(document.getElementById(element.dataset.featuresId).textContent);
    var map = GovgridMap.createMap(element, settings);
    var grids = gridLayer(data.grids, settings).addTo(map);
    compoundLayer(data.compounds, settings).addTo(map);
    if (grids.getLayers().length) map.fitBounds(grids.getBounds(), { padding: [12, 12], animate: false });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-grid-overview]").forEach(setUp);
  });
})();
