// "Drucken" on the statement of use: no inline handler (Content-Security-Policy).
(function () {
  "use strict";
  document.querySelectorAll("[data-action=print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
