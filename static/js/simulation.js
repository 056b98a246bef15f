/* The registry-truth page: the latest simulated run's curve, drawn with the vendored ECharts
   from the data the page carries as JSON (json_script). */
(function () {
  "use strict";

  function start() {
    var source = document.getElementById("simulation-data");
    var element = document.getElementById("simulation-chart");
    if (!source || !element || typeof echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    if (!data.days) {
      return;
    }
    var english = (document.documentElement.lang || "").indexOf("en") === 0;
    var chart = echarts.init(element, null, { renderer: "canvas", locale: english ? "EN" : "ZH" });
    chart.setOption({
      aria: { enabled: true },
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { bottom: 0, type: "scroll" },
      toolbox: { right: 8, feature: { saveAsImage: { title: data.labels.save, name: "registry-truth" } } },
      xAxis: { type: "category", name: data.labels.day, data: data.days },
      yAxis: [
        { type: "value", name: data.labels.share, scale: true, max: 100 },
        { type: "value", name: data.labels.count }
      ],
      series: data.series.map(function (s) {
        return { name: s.name, type: "line", yAxisIndex: s.axis, data: s.values, showSymbol: false };
      })
    });
    element.setAttribute("data-drawn", "true");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
