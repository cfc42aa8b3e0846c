/* Draws the reports dashboard's charts. The figures come from <script type="application/json">
 * blocks written by Django's json_script (no inline scripts: the CSP forbids them); each canvas
 * names its block in data-chart-source. The same figures are in the table beside each chart. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return; // Chart.js did not load: the tables still carry every figure.
  }
  // KRDS-friendly palette with enough contrast between neighbours.
  var COLORS = ["#256ef4", "#f2a00c", "#228738", "#bd2c0f", "#6a3fc2", "#0b8a8a", "#8a5a00", "#58616a"];

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart-source"));
    if (!source) {
      return;
    }
    var config = JSON.parse(source.textContent);
    var datasets = config.datasets.map(function (dataset, index) {
      var color = COLORS[index % COLORS.length];
      return {
        label: dataset.label,
        data: dataset.data,
        stack: config.stacked ? dataset.stack || "all" : undefined,
        backgroundColor: color,
        borderColor: color,
        borderWidth: 1
      };
    });
    var valueAxis = {
      beginAtZero: true,
      stacked: !!config.stacked,
      title: { display: !!config.yTitle, text: config.yTitle }
    };
    if (config.percent) {
      valueAxis.max = 100;
    }
    if (!config.percent) {
      valueAxis.ticks = { precision: 0 }; // counts are whole numbers
    }
    var categoryAxis = { stacked: !!config.stacked, ticks: { autoSkip: !config.horizontal } };
    if (config.horizontal) {
      // One bar row per label: the box grows with the number of labels (set through the CSSOM,
      // which the CSP allows, unlike a style attribute).
      var rows = Math.max(config.labels.length, 4);
      canvas.parentNode.style.height = String(Math.min(rows * 28 + 90, 2400)) + "px";
    }
    // eslint-disable-next-line no-new
    new window.Chart(canvas, {
      type: config.type || "bar",
      data: { labels: config.labels, datasets: datasets },
      options: {
        indexAxis: config.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: !config.horizontal,
        animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : undefined,
        plugins: { legend: { position: "bottom" }, title: { display: false } },
        scales: config.horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis }
      }
    });
  }

  function start() {
    var canvases = document.querySelectorAll("canvas[data-chart-source]");
    for (var i = 0; i < canvases.length; i += 1) {
      draw(canvases[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
