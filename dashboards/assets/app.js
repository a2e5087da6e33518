// salesrecipe dashboards: draws each chart from its JSON data block and makes
// tables sortable. Loaded from /assets/ with no inline script, so the pages'
// Content-Security-Policy allows scripts from this server only.
(function () {
  "use strict";

  function drawCharts() {
    var charts = [];
    document.querySelectorAll("div.chart[data-option]").forEach(function (el) {
      var data = document.getElementById(el.getAttribute("data-option"));
      if (!data || typeof echarts === "undefined") {
        return;
      }
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(JSON.parse(data.textContent));
      el.setAttribute("data-rendered", "true");
      charts.push(chart);
    });
    var pending = false;
    window.addEventListener("resize", function () {
      if (pending) {
        return;
      }
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        charts.forEach(function (c) { c.resize(); });
      });
    });
    window.addEventListener("beforeprint", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }

  function sortValue(td) {
    var v = td.getAttribute("data-v");
    if (v === null) {
      v = td.textContent;
    }
    var n = Number(v);
    return v !== "" && !isNaN(n) ? n : v.toLowerCase();
  }

  function makeSortable(table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, col) {
      var button = th.querySelector("button");
      if (!button) {
        return;
      }
      button.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = sortValue(a.cells[col]), y = sortValue(b.cells[col]);
          var c = x < y ? -1 : x > y ? 1 : 0;
          return asc ? c : -c;
        });
        var frag = document.createDocumentFragment();
        rows.forEach(function (r) { frag.appendChild(r); });
        body.appendChild(frag);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    document.querySelectorAll("table.sortable").forEach(makeSortable);
  });
})();
