// Make the admin's autocomplete boxes (select2) as accessible as the rest of the form.
// select2 builds its own widgets next to the hidden <select>: it leaves the combobox and the search field of a
// multiple choice unnamed (screen readers announce an unlabelled box), and puts its mouse-only "remove all"
// cross straight into a list. This names them after their field's label and hides the cross from assistive
// technology (the keyboard removes choices with Backspace). It runs for the boxes on the page and later ones.
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
      var boxes = container.querySelectorAll('[role="combobox"], [role="textbox"], [role="searchbox"]');
      boxes.forEach(function (box) {
        if (text && !box.getAttribute("aria-label")) {
          box.setAttribute("aria-label", text);
        }
      });
      container.querySelectorAll(".select2-selection__clear").forEach(function (cross) {
        if (!cross.getAttribute("aria-hidden")) {
          cross.setAttribute("aria-hidden", "true");
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
