/* The page shell: the large-text switch and focus on a form's error summary.
   The text size is kept in a cookie so the server renders <html class="text-large"> itself. */
(function () {
  "use strict";

  var COOKIE = "portal_text_size";
  var LARGE_CLASS = "text-large";
  var ONE_YEAR = 60 * 60 * 24 * 365;

  function isLarge() {
    return document.documentElement.classList.contains(LARGE_CLASS);
  }

  function showState(buttons, large) {
    buttons.forEach(function (button) {
      button.setAttribute("aria-pressed", large ? "true" : "false");
    });
  }

  function setLarge(buttons, large) {
    document.documentElement.classList.toggle(LARGE_CLASS, large);
    document.cookie =
      COOKIE + "=" + (large ? "large" : "normal") + "; path=/; max-age=" + ONE_YEAR + "; SameSite=Lax";
    showState(buttons, large);
  }

  function focusErrorSummary(root) {
    var summary = root.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var buttons = Array.prototype.slice.call(document.querySelectorAll("[data-text-size-toggle]"));
    showState(buttons, isLarge());
    buttons.forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        setLarge(buttons, !isLarge());
      });
    });
    focusErrorSummary(document);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    focusErrorSummary(event.detail.target);
  });
})();
