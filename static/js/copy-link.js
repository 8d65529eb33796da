// Copy buttons: <button data-copy-target="input-id"> copies that input's value and
// announces the result in the nearest [data-copy-status] live region.
(function () {
  "use strict";

  function announce(button, text) {
    var section = button.closest("section") || document;
    var status = section.querySelector("[data-copy-status]");
    if (status) {
      status.textContent = text;
    }
  }

  function fallbackCopy(input) {
    input.focus();
    input.select();
    try {
      return document.execCommand("copy");
    } catch (e) {
      return false;
    }
  }

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.getAttribute("data-copy-target"));
      if (!input) {
        return;
      }
      var done = function () { announce(button, "Link copied."); };
      var failed = function () {
        input.focus();
        input.select();
        announce(button, "Press Ctrl+C (or Cmd+C) to copy the selected link.");
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () {
          if (fallbackCopy(input)) { done(); } else { failed(); }
        });
      } else if (fallbackCopy(input)) {
        done();
      } else {
        failed();
      }
    });
  });
})();
