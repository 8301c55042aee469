// Hybrid MD viewers: zoom for ECG tracings; window/level, zoom, pan and distance for images.
(function () {
  "use strict";

  function zoomable(section) {
    var img = section.querySelector(".zoomable");
    var state = { scale: 1, x: 0, y: 0 };
    function apply() {
      img.style.transform = "translate(" + state.x + "px," + state.y + "px) scale(" + state.scale + ")";
    }
    section.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var how = button.dataset.zoom;
        if (how === "in") state.scale = Math.min(state.scale * 1.25, 8);
        else if (how === "out") state.scale = Math.max(state.scale / 1.25, 0.5);
        else { state.scale = 1; state.x = 0; state.y = 0; }
        apply();
      });
    });
    return { img: img, state: state, apply: apply };
  }

  function imageViewer(section) {
    var view = zoomable(section);
    var img = view.img;
    var readout = section.querySelector("[data-readout]");
    var spacing = (section.dataset.spacing || "").split(",").map(parseFloat);
    var columns = parseFloat(section.dataset.columns) || 0;
    var center = parseFloat(section.dataset.center);
    var width = parseFloat(section.dataset.width);
    var mode = "window";
    var points = [];
    var timer = null;

    function load() {
      if (isNaN(center) || isNaN(width)) return;
      clearTimeout(timer);
      timer = setTimeout(function () {
        img.src = section.dataset.src + "?c=" + Math.round(center) + "&w=" + Math.max(1, Math.round(width));
      }, 120);
      readout.textContent = "C " + Math.round(center) + " / W " + Math.round(width);
    }
    section.querySelectorAll("[data-window]").forEach(function (button) {
      button.addEventListener("click", function () {
        var cw = button.dataset.window.split(",");
        center = parseFloat(cw[0]); width = parseFloat(cw[1]);
        load();
      });
    });
    section.querySelectorAll("[data-mode]").forEach(function (button) {
      button.addEventListener("click", function () {
        mode = button.dataset.mode; points = [];
        section.querySelectorAll("[data-mode]").forEach(function (b) {
          b.setAttribute("aria-pressed", b === button ? "true" : "false");
        });
      });
    });
    var dragging = null;
    img.addEventListener("pointerdown", function (event) {
      if (mode === "measure") {
        var rect = img.getBoundingClientRect();
        var perPixel = img.naturalWidth / rect.width;
        var factor = columns ? columns / img.naturalWidth : 1;
        points.push([(event.clientX - rect.left) * perPixel * factor, (event.clientY - rect.top) * perPixel * factor]);
        if (points.length === 2) {
          var dx = (points[1][0] - points[0][0]) * spacing[1];
          var dy = (points[1][1] - points[0][1]) * spacing[0];
          readout.textContent = Math.sqrt(dx * dx + dy * dy).toFixed(1) + " mm";
          points = [];
        }
        return;
      }
      dragging = { x: event.clientX, y: event.clientY };
      img.setPointerCapture(event.pointerId);
    });
    img.addEventListener("pointermove", function (event) {
      if (!dragging) return;
      var dx = event.clientX - dragging.x, dy = event.clientY - dragging.y;
      dragging = { x: event.clientX, y: event.clientY };
      if (mode === "pan") {
        view.state.x += dx; view.state.y += dy; view.apply();
      } else if (mode === "window" && !isNaN(width)) {
        width = Math.max(1, width * (1 + dx / 200));
        center = center - dy * width / 200;
        load();
      }
    });
    img.addEventListener("pointerup", function () { dragging = null; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-viewer='ecg']").forEach(zoomable);
    document.querySelectorAll("[data-viewer='image']").forEach(imageViewer);
  });
})();
