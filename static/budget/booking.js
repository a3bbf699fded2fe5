// Preview of what would remain while the treasurer types. Only a hint: the server decides.
(function () {
  "use strict";
  var form = document.getElementById("expense-form");
  var remainingEl = document.getElementById("remaining");
  var preview = document.getElementById("preview");
  if (!form || !remainingEl || !preview) { return; }
  // After a refusal the page comes back with the figures on top; on a phone the message would
  // be a scroll away, so bring the first refused field into view.
  var invalid = form.querySelector(".is-invalid") || form.querySelector(".alert-danger");
  if (invalid) {
    invalid.scrollIntoView({ block: "center" });
    if (invalid.focus && invalid.matches("input, select, textarea")) { invalid.focus({ preventScroll: true }); }
  }

  var remaining = parseFloat(remainingEl.dataset.remaining);
  var lang = document.documentElement.lang || "de";
  var fmt = new Intl.NumberFormat(lang, { style: "currency", currency: "EUR" });

  function parseAmount(text) {
    text = (text || "").replace(/\s|€/g, "");
    if (/^[1-9]\d{0,2}(\.\d{3})+(,\d+)?$/.test(text)) { text = text.replace(/\./g, "").replace(",", "."); }
    else if (/^\d+(,\d+)?$/.test(text)) { text = text.replace(",", "."); }
    else if (/^[1-9]\d{0,2}(,\d{3})+\.\d+$/.test(text)) { text = text.replace(/,/g, ""); }
    else if (!/^\d+\.\d+$/.test(text)) { return NaN; }
    return parseFloat(text);
  }

  var amount = form.querySelector("[name=amount]");
  amount.addEventListener("input", function () {
    var value = parseAmount(amount.value);
    if (isNaN(value) || value <= 0) { preview.textContent = ""; return; }
    var after = Math.round((remaining - value) * 100) / 100;
    preview.textContent = preview.dataset.label + ": " + fmt.format(after);
    preview.classList.toggle("text-danger", after < 0);
  });
})();
