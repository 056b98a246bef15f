/* Policy target builder: show a condition's parameters only while the condition is ticked.
   Without JavaScript every parameter stays visible and the form works the same. */
(function () {
  "use strict";

  function sync(group) {
    var use = group.querySelector("input[type=checkbox][name^='use__']");
    var params = group.querySelector("[data-criterion-params]");
    if (use && params) {
      params.hidden = !use.checked;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-criterion]").forEach(function (group) {
      sync(group);
      group.addEventListener("change", function () {
        sync(group);
      });
    });
  });
})();
