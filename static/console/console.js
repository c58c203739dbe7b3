// Cockpit sandbox: the little JavaScript the console needs on top of htmx.
(function () {
  "use strict";

  // Dialogs loaded by htmx carry data-open-on-load: open them as modals, and remove
  // them from the page once closed (Cancel, Escape, or a closeDialog event).
  function openDialogs(root) {
    var found = [];
    if (root.matches && root.matches("dialog[data-open-on-load]")) found.push(root);
    if (root.querySelectorAll) found = found.concat(Array.from(root.querySelectorAll("dialog[data-open-on-load]")));
    found.forEach(function (dialog) {
      dialog.removeAttribute("data-open-on-load");
      dialog.addEventListener("close", function () { dialog.remove(); });
      dialog.showModal();
      var first = dialog.querySelector("[autofocus]");
      if (first) first.focus();
    });
  }

  function countChars(field) {
    var out = document.getElementById(field.dataset.charCount);
    if (!out) return;
    // Unicode characters (code points), as the server counts them: an emoji is one.
    var n = Array.from(field.value).length;
    out.textContent = String(n);
    var max = parseInt(field.dataset.charMax || "0", 10);
    out.parentElement.classList.toggle("over", max > 0 && n > max);
  }

  function notice(message) {
    var box = document.getElementById("notices");
    if (!box) return;
    var div = document.createElement("div");
    div.className = "notice notice-success";
    div.setAttribute("role", "status");
    div.textContent = message;
    box.appendChild(div);
    setTimeout(function () { div.remove(); }, 8000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (window.htmx) htmx.onLoad(openDialogs);
    document.querySelectorAll("[data-char-count]").forEach(countChars);
  });

  document.addEventListener("htmx:load", function (event) {
    event.detail.elt.querySelectorAll && event.detail.elt.querySelectorAll("[data-char-count]").forEach(countChars);
  });

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-char-count]")) countChars(event.target);
  });

  document.addEventListener("change", function (event) {
    var t = event.target;
    if (t.matches && t.matches("[data-select-all]")) {
      var table = t.closest("table");
      table.querySelectorAll("tbody input[type=checkbox]").forEach(function (box) { box.checked = t.checked; });
    }
  });


  document.addEventListener("closeDialog", function () {
    document.querySelectorAll("dialog[open]").forEach(function (d) { d.close(); });
  });
  document.addEventListener("showNotice", function (event) {
    notice(event.detail && event.detail.message ? event.detail.message : "Done.");
  });

  // Copy buttons: data-copy names the element whose text to copy.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.dataset.copy);
    if (!source) return;
    var done = function () { button.textContent = "Copied"; setTimeout(function () { button.textContent = "Copy"; }, 1500); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.textContent).then(done);
    } else {
      var range = document.createRange();
      range.selectNodeContents(source);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      document.execCommand("copy");
      done();
    }
  });

  // Close the Services menu when clicking elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
})();
