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
 * - Everything else comes from this version's cache: the page's files, TF.js and the default model,
 *   written at install, and other models' files as they load (hashed ones, exported/<model>/<file>
 *   ?v=<sha256 prefix> as web/loader.js asks for them, once their bytes match the hash).
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

/**
 * Everything but the page itself: this version's cache, else the network. Within one version the
 * index, the metadata and the model files cannot change (a rebuilt site is a new version, which
 * navigate() notices), so model files are kept as they load; hashed ones once their bytes match.
 */
async function cacheFirst(url) {
  const key = isHashed(url) ? url : pageKey(url);
  const cached = stale ? null : await caches.match(key, { cacheName: CACHE });
  if (cached) return cached;
  const response = await fetch(url);
  const keep = response.ok && url.startsWith(EXPORTED) && (!isHashed(url) || (await verified(url, response)));
  if (keep && !stale) await (await caches.open(CACHE)).put(key, response.clone());
  return response; // a hash mismatch reaches the page, whose own sha256 check names the file
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || !request.url.startsWith(SCOPE)) return;
  const response = request.mode === 'navigate' ? navigate(request.url, event.preloadResponse) : cacheFirst(request.url);
  event.respondWith(response);
});
