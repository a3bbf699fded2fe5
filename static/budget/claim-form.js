// The claim form: show the fields of the chosen kind (expense or travel); the receipt picker is
// static/budget/receipt-picker.js. Without JavaScript both groups stay visible; the server decides
// which fields count.
(function () {
  "use strict";
  var form = document.getElementById("claim-form");
  if (!form) { return; }
  var expense = document.getElementById("expense-fields");
  var travel = document.getElementById("travel-fields");

  function kind() {
    var checked = form.querySelector("[name=kind]:checked");
    return checked ? checked.value : "expense";
  }
  function show() {
    var isTravel = kind() === "travel";
    expense.classList.toggle("d-none", isTravel);
    travel.classList.toggle("d-none", !isTravel);
  }
  form.querySelectorAll("[name=kind]").forEach(function (radio) { radio.addEventListener("change", show); });
  show();

  var invalid = form.querySelector(".is-invalid") || form.querySelector(".alert-danger");
  if (invalid) { invalid.scrollIntoView({ block: "center" }); }
})();
