/* Population projection: ECharts line charts and population pyramids from JSON in the page. */
(function () {
  "use strict";

  function data(element) {
    var source = document.getElementById(element.getAttribute("data-source"));
    return source ? JSON.parse(source.textContent) : null;
  }

  function lineChart(element, given) {
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 60, right: 16, top: 40, bottom: 30 },
      xAxis: { type: "category", data: given.years },
      yAxis: { type: "value", scale: true },
      series: given.series.map(function (s) {
        return { name: s.name, type: "line", data: s.data, smooth: false };
      })
    };
  }

  function pyramidChart(element, given) {
    var men = element.getAttribute("data-men");
    var women = element.getAttribute("data-women");
    return {
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        valueFormatter: function (v) { return Math.abs(v); }
      },
      legend: { top: 0 },
      grid: { left: 60, right: 16, top: 40, bottom: 30 },
      xAxis: { type: "value", axisLabel: { formatter: function (v) { return Math.abs(v); } } },
      yAxis: { type: "category", data: given.labels },
      series: [
        { name: men, type: "bar", stack: "all", data: given.men },
        { name: women, type: "bar", stack: "all", data: given.women }
      ]
    };
  }

  function draw() {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var given = data(element);
      if (!given) { return; }
      var kind = element.getAttribute("data-chart");
      var chart = window.echarts.init(element);
      chart.setOption(kind === "pyramid" ? pyramidChart(element, given) : lineChart(element, given));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });
  document.addEventListener("DOMContentLoaded", draw);
})();
