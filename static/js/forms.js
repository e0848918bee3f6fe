// Forms that guide: fields that apply only to some answers appear with those answers.
// A field (or fieldset) with data-show-when="mode=at,recurring;frequency=weekly" is shown only
// while every named control has one of the listed values; with data-required-when it is also
// marked required while shown. Without JavaScript every field stays visible with its help text.
(function () {
  "use strict";

  function valueOf(form, name) {
    var control = form.elements[name];
    if (!control) return "";
    if (control.length !== undefined && !control.tagName) {
      for (var i = 0; i < control.length; i++) if (control[i].checked) return control[i].value;
      return "";
    }
    return control.value;
  }

  function applies(form, rule) {
    return rule.split(";").every(function (part) {
      var pair = part.split("=");
      return pair[1].split(",").indexOf(valueOf(form, pair[0].trim())) !== -1;
    });
  }

  function wrapperOf(element) {
    if (!element.name) return element;
    return document.getElementById("div_id_" + element.name) || element.closest(".mb-3") || element;
  }

  function update(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (element) {
      var shown = applies(form, element.getAttribute("data-show-when"));
      wrapperOf(element).hidden = !shown;
      if (element.hasAttribute("data-required-when")) {
        element.setAttribute("aria-required", shown ? "true" : "false");
        var label = form.querySelector('label[for="' + element.id + '"]');
        var mark = label && label.querySelector(".conditional-required");
        if (label && !mark) {
          mark = document.createElement("span");
          mark.className = "conditional-required asteriskField";
          mark.textContent = "*";
          label.appendChild(mark);
        }
        if (mark) mark.hidden = !shown;
      }
    });
  }

  function init() {
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("[data-show-when]")) return;
      form.addEventListener("change", function () { update(form); });
      update(form);
    });
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
