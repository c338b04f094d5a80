/* Shared by govgrid's admin maps: the base map, the WGS-84 ⇄ GCJ-02 offset.
 *
 * Positions are stored in WGS-84. Gaode/AMap and Tencent tiles are drawn in GCJ-02, so with
 * MAP_COORDINATE_SYSTEM = "gcj02" every geometry is shifted for display and shifted back
 * before it is written to a form. The offset follows the widely published formulas
 * (Krasovsky ellipsoid, as in eviltransform); outside China there is no offset.
 */
(function () {
  "use strict";

  var AXIS = 6378245.0;
  var ECCENTRICITY_SQUARED = 0.00669342162296594323;

  function outOfChina(lat, lng) {
    return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
  }

  function offset(lat, lng) {
    var x = lng - 105.0;
    var y = lat - 35.0;
    var common = (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    var dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) + common
      + (20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin(y / 3.0 * Math.PI)) * 2.0 / 3.0
      + (160.0 * Math.sin(y / 12.0 * Math.PI) + 320.0 * Math.sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
    var dLng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) + common
      + (20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin(x / 3.0 * Math.PI)) * 2.0 / 3.0
      + (150.0 * Math.sin(x / 12.0 * Math.PI) + 300.0 * Math.sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
    var radLat = lat / 180.0 * Math.PI;
    var magic = 1 - ECCENTRICITY_SQUARED * Math.sin(radLat) * Math.sin(radLat);
    var sqrtMagic = Math.sqrt(magic);
    return {
      lat: (dLat * 180.0) / ((AXIS * (1 - ECCENTRICITY_SQUARED)) / (magic * sqrtMagic) * Math.PI),
      lng: (dLng * 180.0) / (AXIS / sqrtMagic * Math.cos(radLat) * Math.PI),
    };
  }

  function wgs84ToGcj02(lat, lng) {
    if (outOfChina(lat, lng)) return { lat: lat, lng: lng };
    var d = offset(lat, lng);
    return { lat: lat + d.lat, lng: lng + d.lng };
  }

  // The offset has no closed inverse; iterating converges to well under a millimetre.
  function gcj02ToWgs84(lat, lng) {
    if (outOfChina(lat, lng)) return { lat: lat, lng: lng };
    var wgs = { lat: lat, lng: lng };
    for (var i = 0; i < 10; i++) {
      var shifted = wgs84ToGcj02(wgs.lat, wgs.lng);
      var errorLat = shifted.lat - lat;
      var errorLng = shifted.lng - lng;
      wgs = { lat: wgs.lat - errorLat, lng: wgs.lng - errorLng };
      if (Math.abs(errorLat) < 1e-10 && Math.abs(errorLng) < 1e-10) break;
    }
    return wgs;
  }

  function mapPositions(coordinates, convert) {
    if (typeof coordinates[0] === "number") {
      var converted = convert(coordinates[1], coordinates[0]);
      return [converted.lng, converted.lat];
    }
    return coordinates.map(function (inner) { return mapPositions(inner, convert); });
  }

  function roundPositions(coordinates) {
    if (typeof coordinates[0] === "number") {
      return coordinates.map(function (value) { return Math.round(value * 1e7) / 1e7; });
    }
    return coordinates.map(roundPositions);
  }

  function settingsOf(element) {
    return JSON.parse(element.dataset.map);
  }

  function usesGcj02(settings) {
    return settings.coordinate_system === "gcj02";
  }

  // A geometry drawn on the base map as it is stored: WGS-84, to 1 cm (7 decimals).
  function toStored(geometry, settings) {
    var coordinates = usesGcj02(settings) ? mapPositions(geometry.coordinates, gcj02ToWgs84) : geometry.coordinates;
    return { type: geometry.type, coordinates: roundPositions(coordinates) };
  }

  function displayLatLng(lat, lng, settings) {
    var shown = usesGcj02(settings) ? wgs84ToGcj02(lat, lng) : { lat: lat, lng: lng };
    return L.latLng(shown.lat, shown.lng);
  }

  // A Leaflet GeoJSON layer of stored (WGS-84) data, placed as the base map draws it.
  function geoJSON(data, settings, options) {
    return L.geoJSON(data, L.extend({
      coordsToLatLng: function (position) { return displayLatLng(position[1], position[0], settings); },
    }, options));
  }

  var OFFLINE_KEY = "govgrid.map.offline";

  // The base layer chosen by hand is remembered in this browser; one found unreachable, for
  // this tab's session only (the network may come back).
  function remember(offline, byHand) {
    try {
      var store = byHand ? window.localStorage : window.sessionStorage;
      if (offline) store.setItem(OFFLINE_KEY, "1"); else store.removeItem(OFFLINE_KEY);
      if (byHand && !offline) window.sessionStorage.removeItem(OFFLINE_KEY);
    } catch (error) { /* storage refused: the choice lasts for this page */ }
  }

  function rememberedOffline() {
    try {
      return window.localStorage.getItem(OFFLINE_KEY) === "1" || window.sessionStorage.getItem(OFFLINE_KEY) === "1";
    } catch (error) { return false; }
  }

  // One tile of the starting view, fetched before the layer: without internet that is the only
  // request that fails, instead of a screenful of them.
  function probeTiles(map, settings, reachable, unreachable) {
    var zoom = Math.round(map.getZoom());
    var tile = map.project(map.getCenter(), zoom).divideBy(256).floor();
    var options = settings.tiles_options || {};
    var subdomains = options.subdomains || "abc";
    var probe = new Image();
    probe.onload = reachable;
    probe.onerror = unreachable;
    probe.src = L.Util.template(settings.tiles_url, L.extend({ s: subdomains[0], x: tile.x, y: tile.y, z: zoom, r: "" }, options));
  }

  // The map over a `data-map` element, with two base layers: the configured tiles, and "no
  // tiles" (a plain background, on which the grids and markers still show). The tiles are added
  // only once one of them is seen to load; the layer control switches by hand.
  function createMap(element, settings) {
    var labels = settings.labels || {};
    var map = L.map(element, {
      center: displayLatLng(settings.center[0], settings.center[1], settings),
      zoom: settings.zoom,
      minZoom: settings.min_zoom,
      maxZoom: settings.max_zoom,
      zoomSnap: 0.25,  // so a fitted grid or town fills the map instead of the zoom level below
      zoomControl: false,
    });
    // The controls in the page's language (Leaflet's own titles are English).
    L.control.zoom({ zoomInTitle: labels.zoom_in || "Zoom in", zoomOutTitle: labels.zoom_out || "Zoom out" }).addTo(map);
    if (!settings.tiles_url) return map;
    var tiles = L.tileLayer(settings.tiles_url, settings.tiles_options || {});
    tiles.on("tileerror", function (event) { event.tile.style.visibility = "hidden"; });
    var blank = L.layerGroup().addTo(map);
    var bases = {};
    bases[settings.tiles_name || "tiles"] = tiles;
    bases[settings.offline_name || "offline"] = blank;
    var control = L.control.layers(bases, null, { position: "topright" }).addTo(map);
    var toggle = control.getContainer().querySelector(".leaflet-control-layers-toggle");
    if (toggle && labels.layers) { toggle.title = labels.layers; toggle.setAttribute("aria-label", labels.layers); }
    var byHand = true;
    map.on("baselayerchange", function (event) { if (byHand) remember(event.layer === blank, true); });
    if (!rememberedOffline()) {
      probeTiles(map, settings, function () {
        byHand = false;  // the control reports this change as if it were a choice
        map.removeLayer(blank);
        tiles.addTo(map);
        byHand = true;
      }, function () { remember(true, false); });
    }
    return map;
  }

  // Tooltip content built as text, never as HTML: names are typed in by people.
  function textLines(lines) {
    var box = document.createElement("div");
    lines.forEach(function (line) {
      var row = document.createElement("div");
      row.textContent = line;
      box.appendChild(row);
    });
    return box;
  }

  // A map of the grids in a FeatureCollection (a worker's own), fitted to them.
  function showGrids(element, grids, colour) {
    var settings = settingsOf(element);
    var map = createMap(element, settings);
    var layer = geoJSON(grids, settings, { style: { color: colour, weight: 2, fillOpacity: 0.06 }, interactive: false }).addTo(map);
    if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { animate: false });
    return map;
  }

  // A case's place: its point, in its grid when it has one (place: {point: [lng, lat], grid}),
  // the point in `pointColour` if it is to stand apart from the grid.
  function showPlace(element, place, colour, pointColour) {
    var settings = settingsOf(element);
    var map = createMap(element, settings);
    if (place.grid) geoJSON(place.grid, settings, { style: { color: colour, weight: 2, fillOpacity: 0.08 } }).addTo(map);
    var point = displayLatLng(place.point[1], place.point[0], settings);
    L.circleMarker(point, { radius: 8, color: pointColour || colour, weight: 3, fillColor: "#fff", fillOpacity: 1 }).addTo(map);
    map.setView(point, 17, { animate: false });
    return map;
  }

  window.GovgridMap = {
    showGrids: showGrids,
    showPlace: showPlace,
    textLines: textLines,
    settingsOf: settingsOf,
    createMap: createMap,
    geoJSON: geoJSON,
    toStored: toStored,
    displayLatLng: displayLatLng,
    wgs84ToGcj02: wgs84ToGcj02,
    gcj02ToWgs84: gcj02ToWgs84,
  };
})();
