// The installable app's side of the page: registers the service worker (templates/pwa/sw.js), says when a
// page is a copy read offline and disables its forms, and forgets the copies when the person logs out.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  var body = document.body;
  var KEY = "colocauto-user";

  function tell(message) {
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage(message);
    });
  }

  function setActionsEnabled(enabled) {
    document.querySelectorAll("form button, form input, form select, form textarea").forEach(function (field) {
      if (field.closest("[data-offline-page]")) return;
      if (enabled) {
        if (field.hasAttribute("data-offline-disabled")) {
          field.disabled = false;
          field.removeAttribute("data-offline-disabled");
        }
      } else if (!field.disabled) {
        field.disabled = true;
        field.setAttribute("data-offline-disabled", "");
      }
    });
  }

  function showOffline(isCopy) {
    var banner = document.querySelector("[data-offline-banner]");
    if (!banner) return;
    var when = document.querySelector('meta[name="colocauto-generated"]');
    var text = banner.querySelector(isCopy ? "[data-offline-copy-text]" : "[data-offline-live-text]");
    banner.querySelectorAll("[data-offline-copy-text], [data-offline-live-text]").forEach(function (part) { part.hidden = part !== text; });
    var time = banner.querySelector("[data-offline-time]");
    if (time && when) {
      var date = new Date(when.content);
      time.textContent = date.toLocaleString(document.documentElement.lang, { dateStyle: "medium", timeStyle: "short" });
      time.setAttribute("datetime", when.content);
    }
    banner.hidden = false;
    setActionsEnabled(false);
  }

  function showOnline() {
    var banner = document.querySelector("[data-offline-banner]");
    if (banner) banner.hidden = true;
    setActionsEnabled(true);
  }

  // Copies belong to one person: forget them on logging out, and when someone else is logged in.
  function forgetIfAnotherPerson() {
    var meta = document.querySelector('meta[name="colocauto-user"]');
    if (!meta || body.hasAttribute("data-offline-copy") || body.hasAttribute("data-offline-page") || !navigator.onLine) return;
    var previous = window.localStorage.getItem(KEY);
    if (meta.content !== previous) {
      if (previous !== null) tell("forget");
      if (meta.content) window.localStorage.setItem(KEY, meta.content); else window.localStorage.removeItem(KEY);
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("[data-logout]")) {
      window.localStorage.removeItem(KEY);
      tell("forget");
    }
  });

  navigator.serviceWorker.register("/sw.js").then(function () {
    forgetIfAnotherPerson();
  }).catch(function () { /* without a service worker the site works as before, online only */ });

  // The offline page lists the copies this device holds.
  var list = document.querySelector("[data-offline-pages]");
  if (list && "caches" in window) {
    caches.open("colocauto-pages").then(function (cache) {
      return cache.keys().then(function (requests) {
        return Promise.all(requests.map(function (request) {
          return cache.match(request).then(function (response) { return response.text(); }).then(function (html) {
            var title = new DOMParser().parseFromString(html, "text/html").title || request.url;
            return { url: request.url, title: title };
          });
        }));
      });
    }).then(function (pages) {
      if (!pages.length) {
        var empty = document.createElement("li");
        empty.textContent = list.getAttribute("data-empty");
        list.appendChild(empty);
      }
      pages.forEach(function (page) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = page.url;
        link.textContent = page.title;
        item.appendChild(link);
        list.appendChild(item);
      });
    });
  }

  if (body.hasAttribute("data-offline-copy")) {
    showOffline(true);
  } else if (!navigator.onLine) {
    showOffline(false);
  }
  window.addEventListener("offline", function () { showOffline(body.hasAttribute("data-offline-copy")); });
  window.addEventListener("online", function () {
    if (!body.hasAttribute("data-offline-copy")) showOnline();
  });
})();
