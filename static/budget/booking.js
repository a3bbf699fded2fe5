// The booking form: which receipt goes with it, quantity only where it is capped, and a live
// preview of what would remain. Only hints: the server decides and checks everything again.
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

  // The line beside the button says which receipt goes with the booking: a newly chosen file
  // (static/budget/receipt-picker.js shows it and keeps only the last choice), else the one kept
  // from a refused send unless dropped, else none.
  var inputs = form.querySelectorAll("input[type=file][name=receipt]");
  var status = document.getElementById("receipt-status");
  var pendingBox = document.getElementById("pending-receipt");
  var dropPending = document.getElementById("drop-pending");

  function chosenFile() {
    var file = null;
    Array.prototype.forEach.call(inputs, function (input) {
      if (input.files && input.files[0]) { file = input.files[0]; }
    });
    return file;
  }

  function updateStatus(file) {
    if (!status) { return; }
    if (file) {
      status.textContent = status.dataset.with + " " + file.name;
    } else if (pendingBox && !(dropPending && dropPending.checked)) {
      status.textContent = status.dataset.with + " " + pendingBox.dataset.name;
    } else {
      status.textContent = status.dataset.none;
    }
  }

  Array.prototype.forEach.call(inputs, function (input) {
    input.addEventListener("change", function () { updateStatus(input.files && input.files[0]); });
  });
  if (dropPending) {
    dropPending.addEventListener("change", function () { updateStatus(chosenFile()); });
  }

  if (amount) { amount.addEventListener("input", updatePreview); }
  if (category) {
    category.addEventListener("change", function () { updateQuantity(); updatePreview(); });
  }
  updateQuantity();
  updatePreview();
})();
