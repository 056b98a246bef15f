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

  /* Signing out leaves nothing of the field work on the device: the visits queued offline,
     their key, the pages kept for offline use and the service worker that kept them. */
  function forgetFieldData() {
    var waits = [];
    try {
      Object.keys(window.localStorage).forEach(function (key) {
        if (key.indexOf("portal.field.") === 0) {
          window.localStorage.removeItem(key);
        }
      });
    } catch (error) {
      /* storage refused: nothing was kept there */
    }
    if (window.indexedDB) {
      waits.push(
        new Promise(function (resolve) {
          var request = window.indexedDB.deleteDatabase("portal-field");
          request.onsuccess = request.onerror = request.onblocked = resolve;
        })
      );
    }
    if (window.caches) {
      waits.push(
        window.caches.keys().then(function (names) {
          return Promise.all(
            names
              .filter(function (name) {
                return name.indexOf("portal-field") === 0;
              })
              .map(function (name) {
                return window.caches.delete(name);
              })
          );
        })
      );
    }
    if (navigator.serviceWorker && navigator.serviceWorker.getRegistrations) {
      waits.push(
        navigator.serviceWorker.getRegistrations().then(function (registrations) {
          return Promise.all(
            registrations.map(function (registration) {
              return registration.unregister();
            })
          );
        })
      );
    }
    var timeout = new Promise(function (resolve) {
      window.setTimeout(resolve, 2000);
    });
    return Promise.race([Promise.all(waits).catch(function () {}), timeout]);
  }

  function setUpSignOut(form) {
    var leaving = false;
    form.addEventListener("submit", function (event) {
      if (leaving) {
        return;
      }
      event.preventDefault();
      leaving = true;
      forgetFieldData().then(function () {
        form.submit();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-sign-out]").forEach(setUpSignOut);
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
