// While a form is being sent its submit buttons are disabled and say so: a 5 MB photo on a slow
// line takes many seconds, and a second tap would send the form again. (The server books a form
// sent twice only once anyway; this keeps people from trying.) No inline script: a strict CSP.
(function () {
  "use strict";
  var english = (document.documentElement.lang || "de").slice(0, 2) === "en";
  var defaults = english
    ? { busy: "Sending …", upload: "Uploading the receipt …" }
    : { busy: "Wird gesendet …", upload: "Beleg wird hochgeladen …" };

  function buttons(form) {
    return form.querySelectorAll('button[type="submit"], button:not([type]), input[type="submit"]');
  }

  function uploading(form) {
    return Array.prototype.some.call(form.querySelectorAll('input[type="file"]'), function (input) {
      return input.files && input.files.length > 0;
    });
  }

  function showBusy(button, label) {
    if (button.tagName === "INPUT") {
      button.dataset.idleLabel = button.value;
      button.value = label;
      return;
    }
    button.dataset.idleLabel = button.innerHTML;
    button.textContent = "";
    var spinner = document.createElement("span");
    spinner.className = "spinner-border spinner-border-sm me-2";
    spinner.setAttribute("aria-hidden", "true");
    button.appendChild(spinner);
    button.appendChild(document.createTextNode(label));
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post") { return; }
    if (form.dataset.submitOnce === "off") { return; }
    if (form.dataset.submitting) { event.preventDefault(); return; }
    form.dataset.submitting = "true";
    form.setAttribute("aria-busy", "true");
    // A disabled button is not sent; keep the name of the one pressed (the admin's
    // "save and add another" depends on it).
    var submitter = event.submitter;
    if (submitter && submitter.name) {
      var carry = document.createElement("input");
      carry.type = "hidden";
      carry.name = submitter.name;
      carry.value = submitter.value;
      carry.dataset.submitOnceCarry = "true";
      form.appendChild(carry);
    }
    var label = uploading(form)
      ? form.dataset.uploadLabel || defaults.upload
      : form.dataset.busyLabel || defaults.busy;
    Array.prototype.forEach.call(buttons(form), function (button) {
      button.disabled = true;
      if (button === submitter || !submitter) { showBusy(button, label); }
    });
  });

  // Back to a page from the browser's cache: the form may be sent again (it gets no new key,
  // so the server still books it once).
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("form[data-submitting]"), function (form) {
      delete form.dataset.submitting;
      form.removeAttribute("aria-busy");
      Array.prototype.forEach.call(form.querySelectorAll("[data-submit-once-carry]"), function (el) {
        el.remove();
      });
      Array.prototype.forEach.call(buttons(form), function (button) {
        button.disabled = false;
        if (button.dataset.idleLabel === undefined) { return; }
        if (button.tagName === "INPUT") { button.value = button.dataset.idleLabel; }
        else { button.innerHTML = button.dataset.idleLabel; }
        delete button.dataset.idleLabel;
      });
    });
  });
})();
