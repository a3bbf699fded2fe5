// The booking form: receipt preview, quantity only where it is capped, and a live preview of what
// would remain. Only hints: the server decides and checks everything again.
(function () {
  "use strict";
  var form = document.getElementById("expense-form");
  if (!form) { return; }

  // After a refusal bring the first refused field into view (on a phone it is a scroll away).
  var invalid = form.querySelector(".is-invalid") || form.querySelector(".alert-danger");
  if (invalid) {
    invalid.scrollIntoView({ block: "center" });
    if (invalid.focus && invalid.matches("input, select, textarea")) { invalid.focus({ preventScroll: true }); }
  }

  var lang = document.documentElement.lang || "de";
  var fmt = new Intl.NumberFormat(lang, { style: "currency", currency: "EUR" });
  var remainingEl = document.getElementById("remaining");
  var remaining = remainingEl ? parseFloat(remainingEl.dataset.remaining) : NaN;
  var preview = document.getElementById("preview");
  var amount = form.querySelector("[name=amount]");
  var category = form.querySelector("[name=category]");

  // The server's rules, in static/budget/amount.js: what is refused there shows no preview.
  function parseAmount(text) {
    var read = window.Beschlusskasse.parseAmount(text, lang);
    return read.error ? NaN : parseFloat(read.value);
  }

  function selectedOption() {
    return category && category.selectedIndex >= 0 ? category.options[category.selectedIndex] : null;
  }

  function updatePreview() {
    if (!preview || !amount || isNaN(remaining)) { return; }
    var value = parseAmount(amount.value);
    preview.classList.remove("text-danger", "fw-semibold");
    preview.classList.add("text-body-secondary");
    if (isNaN(value) || value <= 0) { preview.textContent = ""; return; }
    var after = Math.round((remaining - value) * 100) / 100;
    if (after < 0) {
      preview.textContent = preview.dataset.overCap + " " + fmt.format(-after);
      preview.classList.remove("text-body-secondary");
      preview.classList.add("text-danger", "fw-semibold");
      return;
    }
    // What the plan still allows after open claims and orders, as the server counts it: a
    // "stop" category refuses beyond it, a "warn" category books with a warning.
    var option = selectedOption();
    if (option && option.dataset.planLeft !== undefined) {
      var planAfter = Math.round((parseFloat(option.dataset.planLeft) - value) * 100) / 100;
      if (planAfter < 0 && option.dataset.planAction === "stop") {
        preview.textContent = preview.dataset.overPlan + " " + fmt.format(-planAfter);
        preview.classList.remove("text-body-secondary");
        preview.classList.add("text-danger", "fw-semibold");
        return;
      }
      if (planAfter < 0) {
        preview.textContent = preview.dataset.after + ": " + fmt.format(after) + " · " +
          preview.dataset.overPlanWarn + " " + fmt.format(-planAfter);
        return;
      }
    }
    preview.textContent = preview.dataset.after + ": " + fmt.format(after);
  }

  var quantityField = document.getElementById("quantity-field");
  var quantityHint = document.getElementById("quantity-hint");
  function updateQuantity() {
    if (!quantityField) { return; }
    var option = selectedOption();
    var capped = option && option.dataset.quantityCap !== undefined;
    quantityField.classList.toggle("d-none", !capped);
    if (capped && quantityHint) {
      quantityHint.textContent = quantityField.dataset.hint
        .replace("__LEFT__", option.dataset.quantityLeft)
        .replace("__CAP__", option.dataset.quantityCap)
        .replace("__UNIT__", option.dataset.unit || "");
    }
    if (!capped) {
      var input = quantityField.querySelector("input");
      if (input) { input.value = "1"; }
    }
  }

  // Two ways to attach the receipt (camera or file); the last choice wins.
  var inputs = form.querySelectorAll("input[type=file][name=receipt]");
  var chosen = document.getElementById("receipt-chosen");
  var thumb = document.getElementById("receipt-thumb");
  var nameEl = document.getElementById("receipt-name");
  var status = document.getElementById("receipt-status");
  var pendingBox = document.getElementById("pending-receipt");
  var dropPending = document.getElementById("drop-pending");
  var objectUrl = null;

  function showReceipt(file) {
    if (objectUrl) { URL.revokeObjectURL(objectUrl); objectUrl = null; }
    if (!file) {
      chosen.classList.add("d-none"); chosen.classList.remove("d-flex");
      status.textContent = pendingBox && !(dropPending && dropPending.checked) ? status.textContent : status.dataset.none;
      return;
    }
    nameEl.textContent = file.name + " (" + Math.max(1, Math.round(file.size / 1024)) + " KB)";
    if (/^image\/(jpeg|png|gif|webp)$/.test(file.type)) {
      objectUrl = URL.createObjectURL(file);
      thumb.src = objectUrl;
      thumb.alt = file.name;
      thumb.classList.remove("d-none");
    } else {
      thumb.classList.add("d-none");
      thumb.removeAttribute("src");
    }
    chosen.classList.remove("d-none"); chosen.classList.add("d-flex");
    status.textContent = status.dataset.with + " " + file.name;
    if (pendingBox) { pendingBox.classList.add("d-none"); }
  }

  Array.prototype.forEach.call(inputs, function (input) {
    input.addEventListener("change", function () {
      Array.prototype.forEach.call(inputs, function (other) { if (other !== input) { other.value = ""; } });
      showReceipt(input.files && input.files[0]);
    });
  });
  if (dropPending) {
    dropPending.addEventListener("change", function () {
      status.textContent = dropPending.checked ? status.dataset.none : status.dataset.with + " " + pendingBox.dataset.name;
    });
  }

  if (amount) { amount.addEventListener("input", updatePreview); }
  if (category) {
    category.addEventListener("change", function () { updateQuantity(); updatePreview(); });
  }
  updateQuantity();
  updatePreview();
})();
