/* e-Surat: the service worker of the offline verifier /periksa (served at /periksa-sw.js, whose
   first lines, PRECACHE and VERSION, are written by the server).
   The page, its scripts and the published keys are kept in the Cache API; the page and the keys are
   fetched from the network first (fresh keys after a rotation) and from the cache when offline.
   Nothing else is kept: /v/... (revocation) always goes to the network. */
"use strict";
var CACHE = "periksa-" + VERSION;
var KEYS = "/.well-known/esurat-keys.json";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(PRECACHE);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) {
      return n.indexOf("periksa-") === 0 && n !== CACHE;
    }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function networkFirst(request, key) {
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(key, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(CACHE).then(function (cache) { return cache.match(key); }).then(function (hit) {
      if (!hit) return Response.error();
      var headers = new Headers(hit.headers);
      headers.set("X-Esurat-Kept", "1");  // the page then knows these keys may be stale
      return new Response(hit.body, { status: hit.status, statusText: hit.statusText, headers: headers });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === "/periksa") {
    event.respondWith(networkFirst(request, "/periksa"));
  } else if (url.pathname === KEYS) {
    event.respondWith(networkFirst(request, KEYS));
  } else if (PRECACHE.indexOf(url.pathname + url.search) >= 0) {
    event.respondWith(caches.match(url.pathname + url.search).then(function (hit) {
      return hit || fetch(request);
    }));
  }
});
