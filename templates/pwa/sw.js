{% autoescape off %}"use strict";
// Colocauto's service worker: served by colocauto.pwa.service_worker at the site's root.
const VERSION = "{{ version }}";
const STATIC = "colocauto-static-" + VERSION;
const PAGES = "colocauto-pages";
const OFFLINE_URL = "{{ offline_url|escapejs }}";
const STATIC_PREFIX = "{{ static_prefix|escapejs }}";
const PRECACHE = [OFFLINE_URL{% for url in assets %}, "{{ url|escapejs }}"{% endfor %}];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(STATIC).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith("colocauto-static-") && key !== STATIC).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

// The page tells us when the person logged out or another person logged in: their copies go.
self.addEventListener("message", (event) => {
  if (event.data === "forget") {
    event.waitUntil(caches.delete(PAGES).then(() => event.source && event.source.postMessage("forgotten")));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith(asset(request));
  }
});

// Pages: always the network first. A page the server marked is copied; offline, the copy is shown,
// marked so that static/js/pwa.js says it is a copy and disables its forms.
async function page(request) {
  try {
    const response = await fetch(request);
    if (response.ok && response.headers.get("X-Colocauto-Offline") === "keep") {
      const cache = await caches.open(PAGES);
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const copy = await caches.match(request, { cacheName: PAGES });
    if (copy) {
      const html = (await copy.text()).replace("<body", "<body data-offline-copy");
      return new Response(html, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" } });
    }
    const offline = await caches.match(OFFLINE_URL, { cacheName: STATIC });
    return offline || Response.error();
  }
}

async function asset(request) {
  const cached = await caches.match(request, { cacheName: STATIC });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(STATIC);
    await cache.put(request, response.clone());
  }
  return response;
}
{% endautoescape %}
