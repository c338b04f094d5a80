/* The grid boundary editor: a Leaflet.draw map over the boundary's GeoJSON textarea.
 *
 * What is on the map is the boundary: one shape is a Polygon, several a MultiPolygon, none an
 * empty field. Every draw, edit or delete writes it back into the textarea; GeoJSON pasted into
 * the textarea is drawn when the textarea loses focus. The server validates what is saved.
 */
(function () {
  "use strict";

  var BOUNDARY_STYLE = { className: "grid-boundary", color: "#b71c1c", weight: 3, opacity: 1, fillOpacity: 0.2 };
  var CONTEXT_STYLE = { className: "grid-context", color: "#51606f", weight: 1, dashArray: "4 3", fillColor: "#51606f", fillOpacity: 0.05 };
  var CHANGE_EVENTS = [
    L.Draw.Event.CREATED, L.Draw.Event.EDITED, L.Draw.Event.DELETED, L.Draw.Event.EDITVERTEX,
    L.Draw.Event.EDITMOVE, L.Draw.Event.EDITRESIZE, L.Draw.Event.EDITSTOP, L.Draw.Event.DELETESTOP,
  ];

  function parseBoundary(text) {
    var geometry;
    try {
      geometry = JSON.parse(text);
    } catch (error) {
      return null;
    }
    var isPolygonal = geometry && (geometry.type === "Polygon" || geometry.type === "MultiPolygon");
    return isPolygonal && Array.isArray(geometry.coordinates) ? geometry : null;
  }

  function polygonsOf(layer) {
    var geometry = layer.toGeoJSON(9).geometry;
    return geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  }

  function boundaryText(shapes, settings) {
    var polygons = [];
    shapes.eachLayer(function (layer) { polygons.push.apply(polygons, polygonsOf(layer)); });
    if (polygons.length === 0) return "";
    var geometry = polygons.length === 1
      ? { type: "Polygon", coordinates: polygons[0] }
      : { type: "MultiPolygon", coordinates: polygons };
    return JSON.stringify(GovgridMap.toStored(geometry, settings));
  }

  function drawBoundary(shapes, geometry, settings) {
    shapes.clearLayers();
    if (!geometry) return;
    GovgridMap.geoJSON(geometry, settings, { style: BOUNDARY_STYLE }).eachLayer(function (layer) {
      shapes.addLayer(layer);
    });
  }

  function contextLayer(collection, settings) {
    return GovgridMap.geoJSON(collection, settings, {
      style: CONTEXT_STYLE,
      onEachFeature: function (feature, layer) {
        var label = feature.properties.code + " " + feature.properties.name;
        layer.bindTooltip(GovgridMap.textLines([label]), { sticky: true });
      },
    });
  }

  // The grid with a margin of half its size, so its neighbours show around it; or all grids.
  // Without animation: Leaflet drops a new view asked for while a zoom is still animating.
  function fit(map, shapes, context) {
    if (shapes.getLayers().length) {
      map.fitBounds(shapes.getBounds().pad(0.5), { animate: false });
    } else if (context.getLayers().length) {
      map.fitBounds(context.getBounds(), { padding: [24, 24], animate: false });
    }
  }

  // Leaflet.draw's words in the page's language: {"edit.toolbar.actions.save.text": "…", …}.
  function translateDraw(texts) {
    Object.keys(texts).forEach(function (place) {
      var path = place.split(".");
      var last = path.pop();
      var node = path.reduce(function (parent, key) { return parent[key]; }, L.drawLocal);
      node[last] = texts[place];
    });
  }

  function setUp(element) {
    var settings = GovgridMap.settingsOf(element);
    var textarea = document.getElementById(element.dataset.textareaId);
    var context = JSON.parse(document.getElementById(element.dataset.contextGridsId).textContent);
    var map = GovgridMap.createMap(element, settings);
    translateDraw(JSON.parse(element.dataset.drawTexts));

    var grids = contextLayer(context, settings).addTo(map);
    var shapes = L.featureGroup().addTo(map);
    drawBoundary(shapes, parseBoundary(textarea.value), settings);
    var written = boundaryText(shapes, settings);

    map.addControl(new L.Control.Draw({
      position: "topright",
      draw: {
        // Leaflet.draw 1.0.4 fails computing a rectangle's area, so areas stay off.
        polygon: { allowIntersection: false, showArea: false, shapeOptions: BOUNDARY_STYLE },
        rectangle: { showArea: false, shapeOptions: BOUNDARY_STYLE },
        polyline: false, circle: false, circlemarker: false, marker: false,
      },
      edit: { featureGroup: shapes, remove: true },
    }));

    map.on(L.Draw.Event.CREATED, function (event) { shapes.addLayer(event.layer); });
    // Only a real change is written, so opening and leaving the editor never alters the field.
    map.on(CHANGE_EVENTS.join(" "), function () {
      var text = boundaryText(shapes, settings);
      if (text === written) return;
      written = text;
      textarea.value = text;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    });
    textarea.addEventListener("change", function () {
      var geometry = parseBoundary(textarea.value);
      if (!geometry && textarea.value.trim()) return;
      drawBoundary(shapes, geometry, settings);
      written = boundaryText(shapes, settings);
      fit(map, shapes, grids);
    });

    fit(map, shapes, grids);
    // For scripts and tests that need the live map: the boundary's shapes and the other grids.
    element.boundaryMap = { map: map, shapes: shapes, context: grids };
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-boundary-map]").forEach(setUp);
  });
})();
