{% load i18n %}{% get_current_language as LANGUAGE_CODE %}/* The phone pages' service worker (version __VERSION__).
 *
 * The app opens with no signal: its files are cached when the worker installs, and each page
 * of /m/ is kept as last seen. Pages go to the network first (a task list must be current when
 * it can be) and fall back to the kept copy; files come from the cache. Background sync sends
 * the outbox (outbox.js) when the connection returns, even with no page open.
 */
"use strict";
importScripts("{{ outbox_url }}");

var SHELL = {{ shell|safe }};
var CACHE = "govgrid-m-__VERSION__";
var PAGES = "govgrid-m-pages";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL.files); }).then(function () { return self.skipWaiting(); })
  );
});

// The app's pages as the logged-in worker sees them, those not kept yet, asked for by a page
// once it has loaded (by then the page's answer has set the CSRF cookie, which a request made
// here during the install could have replaced under the page's feet). One that fails is left
// for later.
function keepPages(more) {
  return caches.open(PAGES).then(function (pages) {
    return Promise.all(SHELL.pages.concat(more || []).map(function (url) {
      return pages.match(url).then(function (kept) {
        if (kept) return;
        return fetch(url, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
          if (response.ok && response.type === "basic") return pages.put(url, response);
        }).catch(function () {});
      });
    }));
  });
}

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("govgrid-m-") === 0 && name !== CACHE && name !== PAGES;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function isPage(request, url) {
  return request.mode === "navigate" && url.pathname.indexOf(SHELL.scope) === 0;
}

function fromNetworkKeeping(request) {
  return fetch(request).then(function (response) {
    // Only a page shown as it is (not a redirect to the login page) is kept.
    if (response.ok && !response.redirected && new URL(request.url).pathname !== SHELL.login) {
      var copy = response.clone();
      caches.open(PAGES).then(function (pages) { pages.put(request.url.split("#")[0], copy); });
    }
    return response;
  });
}

// The page as last seen; else the same page without its query; else a note that this page was
// never opened here, so has no copy (the home page in its place would pass for this page).
function keptPage(request) {
  var url = request.url.split("#")[0];
  return caches.open(PAGES).then(function (pages) {
    return pages.match(url).then(function (hit) {
      return hit || pages.match(url.split("?")[0]);
    }).then(function (hit) {
      return hit || notKept();
    });
  });
}

function notKept() {
  var page = '<!doctype html><html lang="{{ LANGUAGE_CODE|default:"zh-hans" }}"><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{% filter escapejs %}{% translate "Not available offline" %}{% endfilter %}</title>' +
    '<link rel="stylesheet" href="' + SHELL.files[0] + '"><main><section class="card"><h1>{% filter escapejs %}{% translate "Not available offline" %}{% endfilter %}</h1>' +
    '<p>{% filter escapejs %}{% translate "This page has not been opened on this phone before, so it cannot be shown with no connection. Try again when there is a signal." %}{% endfilter %}</p>' +
    '<p><a class="button" href="' + SHELL.offline + '">{% filter escapejs %}{% translate "Home" %}{% endfilter %}</a></p></section></main></html>';
  return new Response(page, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;  // map tiles and the like: the network's business
  if (isPage(request, url)) {
    event.respondWith(fromNetworkKeeping(request).catch(function () {
      return keptPage(request).then(function (hit) { return hit || Response.error(); });
    }));
    return;
  }
  if (SHELL.files.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(request, { cacheName: CACHE }).then(function (hit) {
      return hit || fetch(request);
    }));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag === GGOutbox.SYNC_TAG) event.waitUntil(GGOutbox.flush());
});

self.addEventListener("message", function (event) {
  if (event.data === "flush") event.waitUntil(GGOutbox.flush());
  if (event.data === "keep-pages") event.waitUntil(keepPages());
  // A list's own pages (my tasks), so that each opens with no signal too.
  if (event.data && event.data.keep) event.waitUntil(keepPages(event.data.keep.filter(function (url) {
    return url.indexOf(SHELL.scope) === 0;
  })));
  if (event.data === "forget-pages") event.waitUntil(caches.delete(PAGES));
});
