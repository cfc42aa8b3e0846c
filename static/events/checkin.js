// Keeps the check-in count on /events/<id>/check-in/ current: polls the JSON counts every 5 s.
(function () {
  "use strict";
  var box = document.getElementById("checkin-count");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-url");
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        Object.keys(data).forEach(function (key) {
          var el = box.querySelector('[data-field="' + key + '"]');
          if (el && el.textContent !== String(data[key])) { el.textContent = String(data[key]); }
        });
      })
      .catch(function () { /* offline for a moment: try again next tick */ });
  }
  window.setInterval(refresh, 5000);
}());
