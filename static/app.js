// Folio's only script of its own. Pages work without it; it makes htmx requests carry the
// page's CSRF token, which the server demands on every POST, PUT, PATCH and DELETE.
(function () {
  "use strict";

  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) {
      event.detail.headers["X-CSRF-Token"] = meta.content;
    }
  });
})();
