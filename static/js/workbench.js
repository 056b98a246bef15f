/* The workbench: when the filters redraw the table, say how many applications match (the
   table itself is not a live region: reading it all at every change would drown the rest). */
(function () {
  "use strict";

  var redrawing = false;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail.elt;
    redrawing = Boolean(source && source.closest && source.closest(".filter-form"));
  });

  document.addEventListener("htmx:afterSettle", function () {
    var list = document.getElementById("case-list");
    var status = document.getElementById("case-list-status");
    if (redrawing && list && status) {
      status.textContent = list.getAttribute("data-summary") || "";
    }
    redrawing = false;
  });
})();
