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

// The entry form's posting rows: JavaScript marks the page so that the controls needing it
// show, and removes a row in place; the form then announces it so the balance check reruns.
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-remove-posting]");
    if (!button) {
      return;
    }
    var row = button.closest(".posting-row");
    var form = button.closest("form");
    if (!row || !form) {
      return;
    }
    row.remove();
    form.dispatchEvent(new CustomEvent("posting-removed", { bubbles: true }));
  });
})();
