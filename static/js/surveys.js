/* Charts of a survey's results, drawn with the vendored ECharts from the data the page carries
   as JSON (json_script "survey-charts"): one horizontal bar chart per choice or scale question,
   counts with their shares. Each chart has ECharts' aria description and save-as-picture. */
(function () {
  "use strict";

  var charts = [];

  function draw(element, chart, labels) {
    var drawn = echarts.init(element, null, { renderer: "canvas" });
    var order = chart.kind === "scale" ? chart.labels : chart.labels.slice().reverse();
    var counts = chart.kind === "scale" ? chart.counts : chart.counts.slice().reverse();
    var shares = chart.kind === "scale" ? chart.shares : chart.shares.slice().reverse();
    drawn.setOption({
      aria: { enabled: true },
      animation: false,
      toolbox: { right: 8, feature: { saveAsImage: { title: labels.save, name: element.getAttribute("data-name") || "survey", pixelRatio: 2 } } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 56, top: 32, bottom: 8, containLabel: true },
      xAxis: chart.kind === "scale" ? { type: "category", data: order } : { type: "value" },
      yAxis: chart.kind === "scale" ? { type: "value" } : { type: "category", data: order, axisLabel: { width: 140, overflow: "break" } },
      series: [{
        name: labels.count,
        type: "bar",
        data: counts,
        label: {
          show: true,
          position: chart.kind === "scale" ? "top" : "right",
          formatter: function (p) { return p.value + " (" + shares[p.dataIndex] + "%)"; }
        }
      }]
    });
    element.setAttribute("data-drawn", "true");
    charts.push(drawn);
  }

  function start() {
    var source = document.getElementById("survey-charts");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    data.charts.forEach(function (chart) {
      var element = document.querySelector('[data-survey-chart="' + chart.id + '"]');
      if (element) { draw(element, chart, data.labels); }
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
