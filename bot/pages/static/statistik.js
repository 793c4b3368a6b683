// The charts of /statistik (Chart.js, served by e-surat). The figures come from the page itself
// (<script type="application/json" id="statistik-data">); each chart has the same figures in a table.
(function () {
  "use strict";
  var source = document.getElementById("statistik-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colours = ["#0b5d7a", "#c2571a", "#2e7d32", "#6a1b9a", "#b71c1c", "#455a64", "#f9a825", "#00838f", "#5d4037"];
  Chart.defaults.font.family = "system-ui, sans-serif";
  Chart.defaults.animation = false;  // draw at once (screenshots, slow phones)
  window.esuratCharts = [];

  function draw(id, kind, labels, values, title) {
    var canvas = document.getElementById(id);
    if (!canvas || !labels.length) { return; }
    var horizontal = kind === "barh";
    if (horizontal) {  // one row per bar, so one kelurahan is not a single 46rem bar (CSSOM: allowed by the CSP)
      canvas.parentNode.style.height = (labels.length * 24 + 64) + "px";
    }
    window.esuratCharts.push(new Chart(canvas, {
      type: kind === "doughnut" ? "doughnut" : "bar",
      data: {labels: labels, datasets: [{label: title, data: values,
        backgroundColor: kind === "doughnut" ? colours : colours[0]}]},
      options: {indexAxis: horizontal ? "y" : "x", responsive: true, maintainAspectRatio: false,
        plugins: {legend: {display: kind === "doughnut", position: "bottom"}}}
    }));
    canvas.setAttribute("data-drawn", "1");
  }

  data.charts.forEach(function (c) { draw(c.id, c.kind, c.short || c.labels, c.values, c.title); });
}());
