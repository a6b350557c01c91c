/** Offline use of a static site (pipeline.site): the site's version, written into the page, names the service worker to install. */

// pipeline/page.py SITE_VERSION_META: only a site's page has it; the dev server's never does.
export const SITE_VERSION_META = 'gan-site-version';

/**
 * Register sw.js?v=<the site's version> (beside this module) when this page is a static site's ->
 * its registration, or null (the dev server, a browser without service workers, an insecure
 * origin, or a failed registration: the page then simply needs the network next time).
 */
export async function registerOffline() {
  const meta = document.querySelector(`meta[name="${SITE_VERSION_META}"]`);
  if (!meta || !('serviceWorker' in navigator) || !window.isSecureContext) return null;
  const url = new URL(`sw.js?v=${encodeURIComponent(meta.content)}`, import.meta.url);
  try {
    const registration = await navigator.serviceWorker.register(url);
    navigator.serviceWorker.ready.then(() => (document.body.dataset.offline = 'ready'));
    return registration;
  } catch {
    return null;
  }
}
