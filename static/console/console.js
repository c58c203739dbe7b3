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

  function notice(message, level) {
    var box = document.getElementById("notices");
    if (!box) return;
    var div = document.createElement("div");
    div.className = "notice notice-" + (level || "success");
    div.setAttribute("role", level === "error" ? "alert" : "status");
    div.textContent = message;
    box.appendChild(div);
    setTimeout(function () { div.remove(); }, level === "error" ? 15000 : 8000);
  }

  // The keys toolbar: an action is enabled when the selection allows it; a refused one
  // is disabled, with the core's reason as its title and beside the toolbar.
  function refreshToolbar() {
    var form = document.getElementById("keys-form");
    if (!form) return;
    var rows = Array.from(form.querySelectorAll("tbody input[name=key_id]:checked")).map(function (box) {
      return box.closest("tr");
    });
    var reasons = [];
    form.querySelectorAll("[data-toolbar-action]").forEach(function (button) {
      var action = button.dataset.toolbarAction;
      var attr = "refuse" + action.charAt(0).toUpperCase() + action.slice(1).toLowerCase();
      var reason = "";
      if (rows.length === 0) {
        reason = "Select one or more CMKs.";
      } else if (button.hasAttribute("data-single") && rows.length !== 1) {
        reason = "Select exactly one CMK.";
      } else {
        var refused = rows.filter(function (row) { return row.dataset[attr]; });
        if (refused.length === rows.length) {
          reason = refused[0].dataset[attr];
          reasons.push(button.textContent.trim() + ": " + reason);
        }
      }
      button.disabled = reason !== "";
      button.title = reason;
    });
    var out = document.getElementById("toolbar-reason");
    if (out) out.textContent = reasons.join(" · ");
  }

  function previewDeletion(input) {
    var out = input.closest("form").querySelector("[data-deletion-preview]");
    if (!out) return;
    // The bounds come from the input's min and max, which the server sets from the core.
    var days = parseInt(input.value, 10);
    if (isNaN(days) || days < parseInt(input.min, 10) || days > parseInt(input.max, 10)) {
      out.textContent = "—";
      return;
    }
    var when = new Date(Date.now() + days * parseInt(input.dataset.daySeconds, 10) * 1000);
    out.textContent = when.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (window.htmx) htmx.onLoad(openDialogs);
    document.querySelectorAll("[data-char-count]").forEach(countChars);
    refreshToolbar();
  });
  document.addEventListener("htmx:afterSettle", refreshToolbar);

  document.addEventListener("htmx:load", function (event) {
    event.detail.elt.querySelectorAll && event.detail.elt.querySelectorAll("[data-char-count]").forEach(countChars);
  });

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-char-count]")) countChars(event.target);
    if (event.target.matches && event.target.matches("[data-window-input]")) previewDeletion(event.target);
  });

  document.addEventListener("change", function (event) {
    var t = event.target;
    if (t.matches && t.matches("[data-select-all]")) {
      var table = t.closest("table");
      table.querySelectorAll("tbody input[type=checkbox]").forEach(function (box) { box.checked = t.checked; });
    }
    if (t.matches && t.matches("#keys-form input[type=checkbox]")) refreshToolbar();
  });


  document.addEventListener("closeDialog", function () {
    document.querySelectorAll("dialog[open]").forEach(function (d) { d.close(); });
  });
  document.addEventListener("showNotice", function (event) {
    var detail = event.detail || {};
    if (detail.messages) {
      detail.messages.forEach(function (m) { notice(m.text, m.level); });
    } else {
      notice(detail.message || "Done.");
    }
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
