// The receipt picker (templates/budget/_receipt_picker.html) on every form that takes a receipt.
// Its two file inputs sit hidden behind the "Foto aufnehmen" and "Datei wählen" buttons, so this
// names the chosen file (with its size: the limit is 10 MB) and shows a photo as a thumbnail.
// A newly chosen file is booked instead of the one kept from a refused send, so the kept one is
// hidden while a new one is chosen. Only hints: the server checks the file again.
(function () {
  "use strict";
  var picker = document.querySelector(".receipt-picker");
  if (!picker) { return; }
  var inputs = picker.querySelectorAll("input[type=file][name=receipt]");
  var chosen = document.getElementById("receipt-chosen");
  var thumb = document.getElementById("receipt-thumb");
  var nameEl = document.getElementById("receipt-name");
  var pendingBox = document.getElementById("pending-receipt");
  var objectUrl = null;

  function show(file) {
    if (objectUrl) { URL.revokeObjectURL(objectUrl); objectUrl = null; }
    if (pendingBox) { pendingBox.classList.toggle("d-none", Boolean(file)); }
    if (!file) {
      chosen.classList.add("d-none"); chosen.classList.remove("d-flex");
      nameEl.textContent = "";
      thumb.classList.add("d-none");
      thumb.removeAttribute("src");
      return;
    }
    nameEl.textContent = file.name + " (" + Math.max(1, Math.round(file.size / 1024)) + " KB)";
    if (/^image\/(jpeg|png|gif|webp)$/.test(file.type)) {
      objectUrl = URL.createObjectURL(file);
      thumb.src = objectUrl;
      thumb.classList.remove("d-none");
    } else {
      thumb.classList.add("d-none");
      thumb.removeAttribute("src");
    }
    chosen.classList.remove("d-none"); chosen.classList.add("d-flex");
  }

  // Both inputs are named "receipt"; the last choice wins and only it is sent.
  Array.prototype.forEach.call(inputs, function (input) {
    input.addEventListener("change", function () {
      Array.prototype.forEach.call(inputs, function (other) { if (other !== input) { other.value = ""; } });
      show(input.files && input.files[0]);
    });
  });
})();
