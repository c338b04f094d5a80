/* The overview's charts (Apache ECharts), drawn from the figures the page carries: cases over
 * time by day, week or month; the completion rate over the same buckets; and the breakdowns by
 * major category, source and community. A click on a bar or a slice filters the page by it. */
(function () {
  "use strict";

  var source = document.getElementById("dashboard-charts");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var labels = JSON.parse(document.getElementById("dashboard-labels").textContent);
  var locale = (document.documentElement.lang || "").indexOf("zh") === 0 ? "ZH" : "EN";
  var font = window.getComputedStyle(document.body).fontFamily;
  var COLOURS = { reported: "#1d4f91", closed: "#2e7d32", overdue_open: "#c62828", rate: "#6a1b9a" };
  var PIE = ["#1d4f91", "#2e7d32", "#f9a825", "#6a1b9a", "#00838f", "#c62828", "#5d4037"];
  var charts = [];

  function chart(name) {
    var element = document.querySelector('[data-chart="' + name + '"]');
    if (!element) return null;
    var drawn = echarts.init(element, null, { locale: locale });
    charts.push(drawn);
    return drawn;
  }

  function escaped(text) { return echarts.format.encodeHTML(String(text)); }

  function percent(value) { return value === null || value === undefined ? "—" : value.toFixed(1) + "%"; }

  // The page again, filtered by this value too (and without the narrower filter it replaces).
  function filterBy(name, value, replaced) {
    if (!value) return;
    var address = new URL(window.location.href);
    address.searchParams.set(name, value);
    (replaced || []).forEach(function (other) { address.searchParams.delete(other); });
    address.searchParams.delete("page");
    window.location.assign(address.toString());
  }

  var base = { textStyle: { fontFamily: font }, animationDuration: 300 };

  function empty(rows) {
    return rows.length ? null : {
      text: labels.no_cases, left: "center", top: "middle", textStyle: { color: "#90a4ae", fontSize: 14, fontWeight: 400 },
    };
  }

  // Cases over time, and the completion rate over the same buckets
  var trendChart = chart("trend");
  var rateChart = chart("rate");
  var switcher = document.querySelector("[data-grains]");

  function drawTrend(grain) {
    var buckets = data.trend[grain];
    var many = buckets.labels.length > 62;
    var zoom = many ? [{ type: "inside" }, { type: "slider", height: 16, bottom: 6 }] : [];
    // Days and weeks of one year are named without it.
    var oneYear = buckets.labels.every(function (label) { return label.slice(0, 4) === buckets.labels[0].slice(0, 4); });
    var short = grain !== "month" && oneYear;
    var axis = {
      type: "category", data: buckets.labels, axisTick: { alignWithLabel: true },
      axisLabel: { formatter: function (label) { return short ? label.slice(5) : label; } },
    };
    trendChart.setOption(Object.assign({}, base, {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 44, right: 16, top: 34, bottom: many ? 56 : 28 },
      xAxis: axis,
      yAxis: { type: "value", minInterval: 1 },
      dataZoom: zoom,
      series: [
        { name: labels.reported, type: "bar", data: buckets.reported, itemStyle: { color: COLOURS.reported } },
        { name: labels.closed, type: "bar", data: buckets.closed, itemStyle: { color: COLOURS.closed } },
        { name: labels.overdue_open, type: "line", data: buckets.overdue_open, itemStyle: { color: COLOURS.overdue_open }, symbolSize: 5 },
      ],
    }), true);
    rateChart.setOption(Object.assign({}, base, {
      tooltip: { trigger: "axis", valueFormatter: percent },
      grid: { left: 44, right: 16, top: 16, bottom: many ? 56 : 28 },
      xAxis: axis,
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      dataZoom: zoom,
      series: [{
        name: labels.completion_rate, type: "line", data: buckets.completion_rate, connectNulls: false,
        itemStyle: { color: COLOURS.rate }, areaStyle: { opacity: 0.08 }, symbolSize: 5,
      }],
    }), true);
    trendChart.getDom().dataset.grain = grain;
    trendChart.getDom().dataset.points = buckets.labels.length;
    trendChart.getDom().dataset.reported = buckets.reported.reduce(function (sum, n) { return sum + n; }, 0);
  }

  if (trendChart && rateChart && switcher) {
    var buttons = switcher.querySelectorAll("[data-grain]");
    var chosen = new URL(window.location.href).searchParams.get("grain");
    var pick = function (grain) {
      Array.prototype.forEach.call(buttons, function (button) {
        button.setAttribute("aria-pressed", String(button.dataset.grain === grain));
      });
      drawTrend(grain);
    };
    switcher.addEventListener("click", function (event) {
      var button = event.target.closest("[data-grain]");
      if (!button) return;
      pick(button.dataset.grain);
      // Kept in the address, so a reload or a shared link shows the same buckets.
      var address = new URL(window.location.href);
      address.searchParams.set("grain", button.dataset.grain);
      window.history.replaceState(null, "", address.toString());
    });
    pick(data.trend[chosen] ? chosen : switcher.dataset.grains);
  }

  // The breakdowns
  function tip(row) {
    return "<b>" + escaped(row.name) + "</b><br>" + escaped(labels.reported) + ": " + row.reported
      + "<br>" + escaped(labels.closed) + ": " + row.closed
      + "<br>" + escaped(labels.overdue_open) + ": " + row.overdue_open
      + "<br>" + escaped(labels.completion_rate) + ": " + percent(row.completion_rate);
  }

  function bars(name, rows, filter, replaced) {
    var drawn = chart(name);
    if (!drawn) return;
    var shown = rows.slice().reverse();  // the largest on top
    drawn.setOption(Object.assign({}, base, {
      title: empty(rows),
      tooltip: { trigger: "item", formatter: function (point) { return tip(shown[point.dataIndex]); } },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: shown.map(function (row) { return row.name; }), axisLabel: { width: 130, overflow: "truncate" } },
      series: [{
        type: "bar", data: shown.map(function (row) { return row.reported; }), itemStyle: { color: COLOURS.reported },
        label: { show: true, position: "right" }, cursor: "pointer", barMaxWidth: 22,
      }],
    }));
    drawn.on("click", function (point) { filterBy(filter, shown[point.dataIndex].filter, replaced); });
  }

  function pie(name, rows, filter) {
    var drawn = chart(name);
    if (!drawn) return;
    drawn.setOption(Object.assign({}, base, {
      title: empty(rows),
      color: PIE,
      tooltip: { trigger: "item", formatter: function (point) { return tip(rows[point.dataIndex]) + "<br>" + point.percent + "%"; } },
      legend: { bottom: 0, type: "scroll" },
      series: [{
        type: "pie", radius: ["38%", "68%"], center: ["50%", "45%"], cursor: "pointer",
        label: { formatter: "{b}\n{c}" },
        data: rows.map(function (row) { return { name: row.name, value: row.reported }; }),
      }],
    }));
    drawn.on("click", function (point) { filterBy(filter, rows[point.dataIndex].filter); });
  }

  bars("major", data.major, "major", ["category"]);
  pie("source", data.source, "source");
  bars("community", data.community, "community", ["grid"]);

  window.addEventListener("resize", function () {
    charts.forEach(function (drawn) { drawn.resize(); });
  });
})();
