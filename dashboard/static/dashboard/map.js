/* The overview's map: every grid in the asker's scope, shaded by the chosen measure (completion
 * rate, overdue and still open, cases per 1,000 residents), with a legend and a tooltip each.
 * A click on a grid filters the page by it. Without tiles the grids still show. */
(function () {
  "use strict";

  var element = document.querySelector("[data-grid-map]");
  var source = document.getElementById("dashboard-charts");
  if (!element || !source || !window.L || !window.GovgridMap) return;
  var grids = JSON.parse(source.textContent).grids;
  var labels = JSON.parse(document.getElementById("dashboard-labels").textContent);
  var UNKNOWN = "#cfd8dc";

  // Classes that share the grids out about evenly (quantiles), at most as many as colours; whole
  // counts name both ends of a class, rates and ratios its bounds.
  function classes(values, colours, decimals) {
    if (!values.length) return [];
    var sorted = values.slice().sort(function (a, b) { return a - b; });
    var factor = Math.pow(10, decimals);
    var distinct = sorted.filter(function (value, i) { return i === 0 || value !== sorted[i - 1]; });
    var breaks = [];
    if (!decimals && distinct.length <= colours.length) {
      breaks = distinct.slice(1);  // few counts: one class each
    } else {
      for (var i = 1; i < colours.length; i++) {
        var cut = Math.ceil(sorted[Math.floor(i * sorted.length / colours.length)] * factor) / factor;
        if (cut > (breaks.length ? breaks[breaks.length - 1] : sorted[0])) breaks.push(cut);
      }
    }
    var bounds = [0].concat(breaks);
    return bounds.map(function (low, i) {
      var high = i + 1 < bounds.length ? bounds[i + 1] : Infinity;
      // Fewer classes than colours: spread over the whole ramp, the last always the darkest.
      var colour = colours[bounds.length === 1 ? 0 : Math.round(i * (colours.length - 1) / (bounds.length - 1))];
      var text;
      if (high === Infinity) text = "≥ " + low.toFixed(decimals);
      else if (decimals) text = low.toFixed(decimals) + " – " + high.toFixed(decimals);
      else text = high - 1 > low ? low + " – " + (high - 1) : String(low);
      return { low: low, high: high, colour: colour, text: text };
    });
  }

  // Each measure's classes, lowest first; the completion rate's follow the grades (E < 40 … A ≥ 90).
  var SHADES = {
    completion_rate: {
      label: labels.completion_rate,
      shown: function (value) { return value.toFixed(1) + "%"; },
      classes: function () {
        return [[0, 40, "#c62828"], [40, 60, "#ef6c00"], [60, 75, "#f9a825"], [75, 90, "#9ccc65"], [90, Infinity, "#2e7d32"]].map(function (c) {
          return { low: c[0], high: c[1], colour: c[2], text: c[1] === Infinity ? "≥ " + c[0] + "%" : c[0] + "–" + c[1] + "%" };
        });
      },
    },
    overdue_open: {
      label: labels.overdue_open,
      shown: function (value) { return String(value); },
      classes: function (values) { return classes(values, ["#fff3e0", "#ffcc80", "#ff8a65", "#e53935", "#8e0000"], 0); },
    },
    per_thousand: {
      label: labels.per_thousand,
      shown: function (value) { return value.toFixed(1); },
      classes: function (values) { return classes(values, ["#e3f2fd", "#90caf9", "#42a5f5", "#1565c0", "#0d2c6b"], 1); },
    },
  };

  function valueOf(feature, shade) {
    var value = feature.properties[shade];
    return value === null || value === undefined ? null : value;
  }

  function colourOf(value, scale) {
    if (value === null) return UNKNOWN;
    var found = scale.filter(function (c) { return value >= c.low && value < c.high; })[0];
    return found ? found.colour : scale[scale.length - 1].colour;
  }

  var settings = GovgridMap.settingsOf(element);
  var map = GovgridMap.createMap(element, settings);
  var chosen = new URL(window.location.href).searchParams.get("shade");
  var current = SHADES[chosen] ? chosen : "completion_rate";
  var scale = scaleOf(current);

  function scaleOf(name) {
    var values = grids.features.map(function (feature) { return valueOf(feature, name); }).filter(function (v) { return v !== null; });
    return SHADES[name].classes(values);
  }

  function style(feature) {
    return { className: "grid-area", color: "#37474f", weight: 1, fillOpacity: 0.72, fillColor: colourOf(valueOf(feature, current), scale) };
  }

  function tooltip(feature) {
    var value = valueOf(feature, current);
    return GovgridMap.textLines([
      feature.properties.name,
      SHADES[current].label + ": " + (value === null ? labels.unknown : SHADES[current].shown(value)),
      labels.reported + ": " + feature.properties.reported,
    ]);
  }

  var layer = GovgridMap.geoJSON(grids, settings, {
    style: style,
    onEachFeature: function (feature, area) {
      area.bindTooltip(function () { return tooltip(feature); }, { sticky: true });
      area.on("add", function () { if (area.getElement()) area.getElement().setAttribute("data-grid", feature.properties.code); });
      area.on("mouseover", function () { area.setStyle({ weight: 3 }); });
      area.on("mouseout", function () { area.setStyle({ weight: 1 }); });
      area.on("click", function () {
        var address = new URL(window.location.href);
        address.searchParams.set("grid", feature.properties.code);
        address.searchParams.set("community", feature.properties.community);
        address.searchParams.delete("page");
        window.location.assign(address.toString());
      });
    },
  }).addTo(map);
  if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { animate: false, padding: [8, 8] });

  var legend = document.querySelector("[data-legend]");
  function drawLegend() {
    legend.textContent = "";
    var entries = scale.map(function (c) { return [c.colour, c.text]; });
    if (grids.features.some(function (feature) { return valueOf(feature, current) === null; })) entries.push([UNKNOWN, labels.unknown]);
    entries.forEach(function (entry) {
      var item = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.style.background = entry[0];
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(entry[1]));
      legend.appendChild(item);
    });
  }

  function shade(name) {
    current = name;
    scale = scaleOf(name);
    layer.setStyle(style);
    drawLegend();
    element.dataset.shade = name;
    Array.prototype.forEach.call(document.querySelectorAll("button[data-shade]"), function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.shade === name));
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-shade]");
    if (!button) return;
    shade(button.dataset.shade);
    var address = new URL(window.location.href);
    address.searchParams.set("shade", button.dataset.shade);
    window.history.replaceState(null, "", address.toString());
  });
  shade(current);
})();
