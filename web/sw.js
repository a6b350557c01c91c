/*
 * The static site's service worker: after one visit the page works with the network cut, and loads
 * from the cache on every visit after the first.
 *
 * pipeline.site writes site.json (the site's version and the files the page needs: the page and its
 * modules, TF.js, the WASM binary, the sprite, the index and the default model) and puts the version
 * in the page's <meta name="gan-site-version">; main.js registers this file as sw.js?v=<version>, so a
 * site rebuilt into the same folder installs a new worker, which drops the old one's cache.
 *
 * - The page itself (a navigation) comes from the network when there is one. When it carries another
 *   version than this worker's, the site was rebuilt: this worker deletes its cache and from then on
 *   passes every request to the network, so the new page never runs with old modules (its own
 *   worker takes over once installed).
 * - The index and each model's metadata.json come from the network first: they name the files to load.
 * - Hashed model files (exported/<model>/<file>?v=<sha256 prefix>, web/loader.js) never change under
 *   their URL; they are kept once their bytes match the hash.
 * - Everything else comes from the cache, which holds one version of the page, written at install.
 * The dev server (pipeline.serve) writes no version, so this worker never runs there.
 */

const VERSION = new URL(self.location.href).searchParams.get('v') || 'unversioned';
const PREFIX = 'gan-site-';
const CACHE = `${PREFIX}${VERSION}`;
const SCOPE = new URL('./', self.location.href).href; // the site's folder: nothing outside it is touched
const EXPORTED = new URL('exported/', SCOPE).href;

/** The hex sha256 of `buffer`. */
async function sha256(buffer) {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', buffer));
  return Array.from(hash, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** A hashed file's response, or null when its bytes are not the ones its ?v= names (corrupt, or another export). */
async function verified(url, response) {
  if (!response.ok) return null;
  const digest = await sha256(await response.clone().arrayBuffer());
  return digest.startsWith(new URL(url).searchParams.get('v')) ? response : null;
}

const isHashed = (url) => url.startsWith(EXPORTED) && new URL(url).searchParams.has('v');
// The page's own address for a request: a navigation to ./?model=x is the page ./ (its state is in the query).
const pageKey = (url) => new URL(new URL(url).pathname, url).href;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const response = await fetch(new URL('site.json', SCOPE), { cache: 'no-cache' });
      const site = await response.json();
      // A site rebuilt while this worker installed: fail now, the next visit installs the new one.
      if (site.version !== VERSION) throw new Error(`site.json is version ${site.version}, not ${VERSION}`);
      const cache = await caches.open(CACHE);
      await Promise.all(
        site.files.map(async (file) => {
          const url = new URL(file, SCOPE).href;
          if (isHashed(url)) {
            // Unchanged model files come from an earlier version's cache, not the network again.
            const kept = (await caches.match(url)) || (await verified(url, await fetch(url)));
            if (!kept) throw new Error(`${file} does not match its hash`);
            return cache.put(url, kept);
          }
          const fresh = await fetch(url, { cache: 'no-cache' });
          if (!fresh.ok) throw new Error(`${file}: HTTP ${fresh.status}`);
          return cache.put(pageKey(url), fresh);
        }),
      );
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((name) => name.startsWith(PREFIX) && name !== CACHE).map((n) => caches.delete(n)));
      // The page's request starts while this worker boots, instead of after.
      if (self.registration.navigationPreload) await self.registration.navigationPreload.enable();
      await self.clients.claim();
    })(),
  );
});

let stale = false; // a newer site was seen: this worker's cache is gone, and it only passes requests on

/** The network, else this version's cache; a page of another version retires this worker's cache. */
async function navigate(url, preloaded) {
  let response;
  try {
    response = (await preloaded) || (await fetch(url, { cache: 'no-cache' }));
  } catch (error) {
    const cached = stale ? null : await caches.match(pageKey(url), { cacheName: CACHE });
    if (cached) return cached;
    throw error;
  }
  const version = (await response.clone().text()).match(/<meta name="gan-site-version" content="([^"]*)"/);
  if (response.ok && version && version[1] !== VERSION && !stale) {
    stale = true;
    await caches.delete(CACHE);
  }
  return response;
}

/** The index and metadata: the network first (they name the files to load), kept for offline use. */
async function networkFirst(url) {
  try {
    const response = await fetch(url, { cache: 'no-cache' });
    if (response.ok && !stale) await (await caches.open(CACHE)).put(url, response.clone());
    return response;
  } catch (error) {
    const cached = stale ? null : await caches.match(url, { cacheName: CACHE });
    if (cached) return cached;
    throw error;
  }
}

/** Hashed model files, and the page's own files: the cache, else the network (hashed files kept once verified). */
async function cacheFirst(url) {
  const key = isHashed(url) ? url : pageKey(url);
  const cached = stale ? null : await caches.match(key, { cacheName: CACHE });
  if (cached) return cached;
  const response = await fetch(url);
  if (!stale && isHashed(url) && (await verified(url, response))) {
    await (await caches.open(CACHE)).put(url, response.clone());
  }
  return response; // a mismatch reaches the page, whose own sha256 check names the file
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || !request.url.startsWith(SCOPE)) return;
  const url = request.url;
  const pointer = url.startsWith(EXPORTED) && !isHashed(url); // index.json, metadata.json, unhashed files
  event.respondWith(
    request.mode === 'navigate' ? navigate(url, event.preloadResponse) : pointer ? networkFirst(url) : cacheFirst(url),
  );
});
