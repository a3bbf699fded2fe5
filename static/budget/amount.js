// Reads an amount exactly as the server does (budget/validators.py parse_amount), so the live
// preview never shows a figure the server would read differently or refuse.
// Beschlusskasse.parseAmount(text, lang) → {value: "1234.56"} or {error: code}, code one of
// required, invalid, min_value, max_decimal_places, max_value (the server's error codes).
(function () {
  "use strict";
  var EDGES = /^[ \t\r\n\u00a0]+|[ \t\r\n\u00a0]+$/g;
  var CURRENCY = /[ \t\r\n\u00a0]*(?:€|eur)$/i;
  var NUMBER_CHARACTERS = /^[0-9.,]+$/; // ASCII digits only, never "١٢" or "１２"
  var GROUPED_DOTS = /^[1-9][0-9]{0,2}(?:\.[0-9]{3})+(?:,[0-9]+)?$/;
  var COMMA_DECIMAL = /^[0-9]+(?:,[0-9]+)?$/;
  var GROUPED_COMMAS = /^[1-9][0-9]{0,2}(?:,[0-9]{3})+\.[0-9]+$/;
  var GROUPED_COMMAS_ONLY = /^[1-9][0-9]{0,2}(?:,[0-9]{3})+$/;
  var DOT_DECIMAL = /^[0-9]+\.[0-9]+$/;
  var MAX_WHOLE = "9999999999"; // with .99: what the database column holds

  function parseAmount(raw, lang) {
    var text = String(raw == null ? "" : raw).replace(EDGES, "");
    text = text.replace(CURRENCY, "").replace(EDGES, "");
    if (!text) { return { error: "required" }; }
    var negative = text.charAt(0) === "-";
    text = text.replace(/^[+-]+/, "");
    if (!NUMBER_CHARACTERS.test(text)) { return { error: "invalid" }; }
    var english = String(lang || "de").slice(0, 2) === "en";
    var normal;
    if (english && GROUPED_COMMAS_ONLY.test(text)) { normal = text.replace(/,/g, ""); }
    else if (!english && GROUPED_DOTS.test(text)) { normal = text.replace(/\./g, "").replace(",", "."); }
    else if (COMMA_DECIMAL.test(text)) { normal = text.replace(",", "."); }
    else if (GROUPED_COMMAS.test(text)) { normal = text.replace(/,/g, ""); }
    else if (DOT_DECIMAL.test(text)) { normal = text; }
    else { return { error: "invalid" }; }
    var parts = normal.split(".");
    var whole = parts[0].replace(/^0+(?=[0-9])/, "");
    var fraction = parts.length > 1 ? parts[1] : "";
    if (negative || /^[0.]*$/.test(normal)) { return { error: "min_value" }; }
    if (fraction.length > 2) { return { error: "max_decimal_places" }; }
    while (fraction.length < 2) { fraction += "0"; }
    if (whole.length > MAX_WHOLE.length) { return { error: "max_value" }; }
    return { value: whole + "." + fraction };
  }

  window.Beschlusskasse = window.Beschlusskasse || {};
  window.Beschlusskasse.parseAmount = parseAmount;
})();
