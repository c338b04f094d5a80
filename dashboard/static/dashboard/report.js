// The monthly report's two charts, drawn as SVG so they print sharp, and its Print button.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-charts").textContent);
  var labels = data.labels;
  var base = { animation: false, textStyle: { fontFamily: "inherit" }, grid: { left: 48, right: 16, top: 36, bottom: 28 } };

  function draw(name, option) {
    var element = document.querySelector('[data-chart="' + name + '"]');
    if (!element || !window.echarts) return;
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption(Object.assign({}, base, option));
    window.addEventListener("resize", function () { chart.resize(); });
    window.addEventListener("beforeprint", function () { chart.resize(); });
  }

  draw("trend", {
    legend: { top: 0 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.days, axisTick: { alignWithLabel: true } },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: labels.reported, type: "bar", data: data.reported, itemStyle: { color: "#5b8ff9" } },
      { name: labels.closed, type: "line", data: data.closed, symbolSize: 4, itemStyle: { color: "#2e7d32" } }
    ]
  });

  draw("communities", {
    tooltip: { trigger: "axis" },
    grid: { left: 48, right: 16, top: 16, bottom: 48 },
    xAxis: { type: "category", data: data.communities, axisLabel: { interval: 0, rotate: data.communities.length > 8 ? 30 : 0 } },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: [{
      name: labels.completion_rate, type: "bar", data: data.completion, barMaxWidth: 36,
      itemStyle: { color: "#1d4f91" }, label: { show: true, position: "top", formatter: "{c}%" }
    }]
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
