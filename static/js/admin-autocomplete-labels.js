// Give the admin's autocomplete boxes (select2) the accessible name of their field's label.
// select2 builds its own combobox next to the hidden <select> and leaves it unnamed; screen readers then
// announce an unlabelled box. This runs for the boxes on the page and for inline rows added later.
(function () {
  "use strict";

  function labelFor(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }

  function name(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2")) {
        return;
      }
      var text = labelFor(select);
      container.querySelectorAll('[role="combobox"], [role="textbox"]').forEach(function (box) {
        if (text && !box.getAttribute("aria-label")) {
          box.setAttribute("aria-label", text);
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    name(document);
    new MutationObserver(function () {
      name(document);
    }).observe(document.body, { childList: true, subtree: true });
  });
})();
