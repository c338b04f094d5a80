/* The console's map: the grids with their names, the filtered cases as markers coloured by their
 * light and clustered when many; a marker opens its case. New cases are added every 5 s. */
(function () {
  "use strict";

  var PERIOD_MS = 5000;
  var element = document.querySelector("[data-case-overview]");
  if (!element || !window.L) return;
  var settings = GovgridMap.settingsOf(element);
  var map = GovgridMap.createMap(element, settings);
  var grids = GovgridMap.geoJSON(JSON.parse(document.getElementById("map-grids").textContent), settings, {
    style: { className: "grid-area", color: "#1565c0", weight: 1.2, fillOpacity: 0.06 },
    onEachFeature: function (feature, layer) {
      layer.bindTooltip(feature.properties.name, { permanent: true, direction: "center", className: "grid-name" });
    },
  }).addTo(map);
  if (grids.getLayers().length) map.fitBounds(grids.getBounds(), { animate: false });

  // Grid names only where they can be read.
  var NAMES_FROM_ZOOM = 15.5;
  function nameGrids() { element.classList.toggle("names-hidden", map.getZoom() < NAMES_FROM_ZOOM); }
  map.on("zoomend", nameGrids);
  nameGrids();

  // A cluster takes the colour of its worst case: red, then yellow, then green.
  var WORST_FIRST = ["r", "y", "g", ""];
  function clusterIcon(cluster) {
    var lights = cluster.getAllChildMarkers().map(function (point) { return point.options.light; });
    var worst = WORST_FIRST.filter(function (light) { return lights.indexOf(light) !== -1; })[0];
    var size = cluster.getChildCount() < 100 ? 40 : 48;
    return L.divIcon({
      html: "<span>" + cluster.getChildCount() + "</span>",
      className: "case-cluster light-" + (worst || "none"),
      iconSize: [size, size],
    });
  }
  var clusters = L.markerClusterGroup({ maxClusterRadius: 45, chunkedLoading: true, iconCreateFunction: clusterIcon }).addTo(map);
  var shown = {};
  var newest = Number(element.dataset.since) || 0;
  var count = document.querySelector("[data-map-count]");
  var caseUrl = element.dataset.caseUrl;

  function marker(row) {
    // [id, lat, lng, light (g/y/r or ""), code, category, status]
    var icon = L.divIcon({ className: "case-marker light-" + (row[3] || "none"), iconSize: [14, 14] });
    var point = L.marker(GovgridMap.displayLatLng(row[1], row[2], settings), { icon: icon, keyboard: true, title: row[4], light: row[3] });
    point.bindTooltip(GovgridMap.textLines([row[4], row[5], row[6]]));
    point.on("click", function () { window.location.assign(caseUrl.replace("/0/", "/" + row[0] + "/")); });
    return point;
  }

  function add(answer, fresh) {
    var markers = [];
    answer.cases.forEach(function (row) {
      if (shown[row[0]]) return;
      shown[row[0]] = true;
      newest = Math.max(newest, row[0]);
      var point = marker(row);
      if (fresh) point.on("add", function () { if (point._icon) point._icon.classList.add("fresh"); });
      markers.push(point);
    });
    clusters.addLayers(markers);
    return answer;
  }

  function load(since) {
    var address = new URL(element.dataset.casesUrl, window.location.href);
    if (since !== undefined) address.searchParams.set("since", since);
    return fetch(address, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    });
  }

  load().then(function (answer) {
    add(answer, false);
    newest = Math.max(newest, Number(element.dataset.since) || 0);
    count.textContent = answer.total > answer.cases.length
      ? answer.cases.length + " / " + answer.total
      : String(answer.total);
    count.dataset.total = answer.total;
    window.setInterval(function () {
      if (document.hidden) return;
      load(newest).then(function (fresh) {
        add(fresh, true);
        if (fresh.cases.length) {
          count.dataset.total = Number(count.dataset.total) + fresh.cases.length;
          count.textContent = count.dataset.total;
        }
      }).catch(function () { /* the next poll tries again */ });
    }, PERIOD_MS);
  }).catch(function () { count.textContent = "!"; });
})();
