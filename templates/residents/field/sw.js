{% load static %}/* The field pages' service worker: they open without a connection.

   Field pages (navigations under /field/) go to the network first and fall back to the copy
   kept from the last visit online; the scripts and styles they use are kept at installation.
   The API and the queue key are never kept. Signing out deletes these copies (portal.js). */
"use strict";

var CACHE = "portal-field-v1";
var ASSETS = [
  "{% url 'residents:field_home' %}",
  "{% static 'css/portal.css' %}",
  "{% static 'css/residents.css' %}",
  "{% static 'css/field.css' %}",
  "{% static 'vendor/htmx/htmx.min.js' %}",
  "{% static 'js/portal.js' %}",
  "{% static 'js/field.js' %}"
];
var NEVER_KEPT = ["/api/", "{% url 'residents:field_queue_key' %}"];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(ASSETS);
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

function keep(request, response) {
  if (response && response.ok && response.type === "basic") {
    var copy = response.clone();
    caches.open(CACHE).then(function (cache) {
      cache.put(request, copy);
    });
  }
  return response;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (NEVER_KEPT.some(function (prefix) { return url.pathname.indexOf(prefix) === 0; })) {
    return;
  }
  if (request.mode === "navigate") {
    if (url.pathname.indexOf("{% url 'residents:field_home' %}") !== 0) {
      return;
    }
    event.respondWith(
      fetch(request).then(function (response) {
        return keep(request, response);
      }).catch(function () {
        return caches.match(request, { ignoreSearch: false }).then(function (found) {
          return found || caches.match("{% url 'residents:field_home' %}");
        });
      })
    );
    return;
  }
  if (url.pathname.indexOf("{% get_static_prefix %}") === 0) {
    event.respondWith(
      caches.match(request).then(function (found) {
        return found || fetch(request).then(function (response) {
          return keep(request, response);
        });
      })
    );
  }
});
