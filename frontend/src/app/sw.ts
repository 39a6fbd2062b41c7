/// <reference lib="webworker" />
// Service worker of the installable companion: the app shell and its hashed assets keep working
// without a network, so a workout can be recorded (into IndexedDB) with no signal at all.

const sw = globalThis as unknown as ServiceWorkerGlobalScope;

const CACHE = "wellverse-shell-v1";
const SHELL = ["/companion"];

sw.addEventListener("install", (event: ExtendableEvent) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
  void sw.skipWaiting();
});

sw.addEventListener("activate", (event: ExtendableEvent) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k)))),
  );
});

sw.addEventListener("fetch", (event: FetchEvent) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== sw.location.origin) return;
  if (url.pathname.startsWith("/static/assets/")) {
    // Hashed file names never change content: cache first.
    event.respondWith(
      caches.match(event.request).then(
        (hit) =>
          hit ??
          fetch(event.request).then((response) => {
            const copy = response.clone();
            void caches.open(CACHE).then((cache) => cache.put(event.request, copy));
            return response;
          }),
      ),
    );
  } else if (event.request.mode === "navigate") {
    // Pages: the network when there is one, the cached shell when there is not.
    event.respondWith(
      fetch(event.request).catch(async () => (await caches.match(event.request)) ?? (await caches.match("/companion"))!),
    );
  }
});
