/* The workbench: when the filters redraw the table, say how many applications match (the
   table itself is not a live region: reading it all at every change would drown the rest). */
(function () {
  "use strict";

  document.addEventListener("htmx:afterSettle", function (event) {
    var list = document.getElementById("case-list");
    var status = document.getElementById("case-list-status");
    var source = event.detail.elt;
    if (list && status && source && source.closest && source.closest(".filter-form")) {
      status.textContent = list.getAttribute("data-summary") || "";
    }
  });
})();
