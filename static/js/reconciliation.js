/* The reconciliation run's progress bar: asks the run's progress while it is active, then
   reloads the page to show the finished report. */
(function () {
  "use strict";

  var bar = document.querySelector("[data-run-progress]");
  if (!bar || bar.getAttribute("data-active") !== "true") {
    return;
  }
  var url = bar.getAttribute("data-run-progress");
  var label = document.querySelector("[data-run-progress-label]");

  function show(data) {
    bar.value = data.progress;
    bar.textContent = data.progress + "%";
    if (label) {
      label.textContent = data.progress + "% · " + data.phase;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.statusText);
        }
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.active) {
          window.setTimeout(poll, 1500);
        } else {
          window.location.reload();
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1500);
})();
