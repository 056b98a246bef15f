// Points pages: choosing other rules in the calculator reloads it with their questions.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var rules = document.querySelector(".pts-calculator select[name='rule_set']");
    if (!rules) {
      return;
    }
    rules.addEventListener("change", function () {
      var url = new URL(window.location.href);
      url.searchParams.set("rule_set", rules.value);
      window.location.assign(url.toString());
    });
  });
})();
