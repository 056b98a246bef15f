/* Charts of the city's view, drawn with the vendored ECharts from data the page carries as
   JSON (json_script). Every chart has ECharts' own "save as picture" (PNG) button and an
   accessible description (aria). Clicking an area on the map opens the areas inside it. */
(function () {
  "use strict";

  var charts = [];
  var english = (document.documentElement.lang || "").indexOf("en") === 0;

  function read(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function draw(element, option, saveLabel) {
    var chart = echarts.init(element, null, { renderer: "canvas", locale: english ? "EN" : "ZH" });
    option.aria = { enabled: true };
    option.animation = false;
    option.toolbox = {
      right: 8,
      feature: {
        saveAsImage: { title: saveLabel, name: element.getAttribute("data-name") || "chart", pixelRatio: 2 }
      }
    };
    chart.setOption(option);
    element.setAttribute("data-drawn", "true");
    charts.push(chart);
    return chart;
  }

  function pie(name, items) {
    return {
      tooltip: { trigger: "item" },
      legend: { bottom: 0, type: "scroll" },
      series: [{ name: name, type: "pie", radius: ["35%", "65%"], data: items, label: { formatter: "{b}: {d}%" } }]
    };
  }

  function dashboard(data) {
    var labels = data.labels;
    var byName = {};
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      byName[element.getAttribute("data-chart")] = element;
    });
    if (byName.trend) {
      draw(byName.trend, {
        tooltip: { trigger: "axis" },
        legend: { bottom: 0, type: "scroll" },
        grid: { left: 56, right: 16, top: 40, bottom: 64 },
        xAxis: { type: "category", data: data.months },
        yAxis: { type: "value" },
        series: data.trend.map(function (s) {
          return { name: s.name, type: s.kind === "flow" ? "bar" : "line", data: s.values };
        })
      }, labels.save);
    }
    if (byName.pyramid) {
      var p = data.pyramid;
      draw(byName.pyramid, {
        tooltip: {
          trigger: "axis",
          axisPointer: { type: "shadow" },
          valueFormatter: function (v) { return Math.abs(v); }
        },
        legend: { bottom: 0, data: [p.male_label, p.female_label] },
        grid: { left: 64, right: 16, top: 40, bottom: 48 },
        xAxis: { type: "value", axisLabel: { formatter: function (v) { return Math.abs(v); } } },
        yAxis: { type: "category", data: p.bands, axisTick: { show: false } },
        series: [
          { name: p.male_label, type: "bar", stack: "people", data: p.male },
          { name: p.female_label, type: "bar", stack: "people", data: p.female }
        ]
      }, labels.save);
    }
    if (byName.origin) {
      var origins = data.origin.slice(0, 15).reverse();
      draw(byName.origin, {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 96, right: 24, top: 40, bottom: 24 },
        xAxis: { type: "value" },
        yAxis: { type: "category", data: origins.map(function (o) { return o.name; }) },
        series: [{ name: labels.origin, type: "bar", data: origins.map(function (o) { return o.value; }) }]
      }, labels.save);
    }
    if (byName.reason) {
      draw(byName.reason, pie(labels.reason, data.reason), labels.save);
    }
    if (byName.tenure) {
      draw(byName.tenure, pie(labels.tenure, data.tenure), labels.save);
    }
  }

  function map(data) {
    var element = document.querySelector("[data-chart=map]");
    if (!element) {
      return;
    }
    if (!data.geojson.features.length) {
      element.classList.add("chart--empty");
      element.textContent = data.labels.no_boundaries;
      return;
    }
    echarts.registerMap("areas", data.geojson);
    var names = {};
    var values = data.values.map(function (v) {
      names[v.code] = v.name;
      return { name: v.code, value: v.value, label: v.name };
    });
    var max = values.reduce(function (m, v) { return Math.max(m, v.value); }, 0);
    var chart = draw(element, {
      tooltip: {
        trigger: "item",
        formatter: function (item) {
          return (names[item.name] || item.name) + "<br>" + data.metric + ": " + (item.value || 0);
        }
      },
      visualMap: {
        min: 0, max: max || 1, left: 8, bottom: 8, calculable: true,
        inRange: { color: ["#eff6ff", "#93c5fd", "#1d4ed8"] }
      },
      series: [{
        name: data.metric,
        type: "map",
        map: "areas",
        nameProperty: "code",
        roam: true,
        label: { show: true, formatter: function (item) { return names[item.name] || ""; } },
        data: values
      }]
    }, data.labels.save);
    if (data.drillable) {
      chart.on("click", function (item) {
        var params = new URLSearchParams(window.location.search);
        params.set("area", item.name);
        window.location.search = params.toString();
      });
    }
  }

  function indicators(data, labels) {
    document.querySelectorAll("[data-chart=indicator]").forEach(function (element) {
      var series = data[element.getAttribute("data-indicator")];
      if (!series) {
        return;
      }
      draw(element, {
        tooltip: { trigger: "axis" },
        legend: { bottom: 0, data: [labels.plan, labels.actual] },
        grid: { left: 48, right: 16, top: 40, bottom: 48 },
        xAxis: { type: "category", data: series.years },
        yAxis: { type: "value", scale: true },
        series: [
          { name: labels.plan, type: "line", data: series.plan, lineStyle: { type: "dashed" }, symbol: "none" },
          { name: labels.actual, type: "line", data: series.actual, connectNulls: true, symbolSize: 8 }
        ]
      }, labels.save);
    });
  }

  function start() {
    if (typeof echarts === "undefined") {
      return;
    }
    var dashboardData = read("dashboard-data");
    if (dashboardData) {
      dashboard(dashboardData);
    }
    var mapData = read("map-data");
    if (mapData) {
      map(mapData);
    }
    var indicatorData = read("indicator-data");
    if (indicatorData) {
      indicators(indicatorData, read("indicator-labels"));
    }
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
