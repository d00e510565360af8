// "My data": follows the preparation of an archive and shows its progress; reloads once it is ready.
// Without this script the page says the same, with a link to refresh it.
(function () {
  "use strict";
  function follow(item) {
    var url = item.getAttribute("data-status-url");
    var bar = item.querySelector("progress");
    var status = item.querySelector(".export-status");
    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (!body) { return; }
          if (bar) { bar.value = body.progress; bar.textContent = body.progress + " %"; }
          if (status && status.textContent !== body.label) { status.textContent = body.label; }
          if (body.status === "pending" || body.status === "building") {
            window.setTimeout(poll, 2000);
          } else {
            window.location.reload();
          }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    }
    window.setTimeout(poll, 1000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-status-url]").forEach(follow);
  });
})();
