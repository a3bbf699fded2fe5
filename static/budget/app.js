// Behaviour that used to sit in inline handlers, which the Content-Security-Policy forbids.
(function () {
  "use strict";
  // The language menu switches as soon as a language is picked (a button stays for no-JS).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  document.querySelectorAll("[data-action=print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
