// Autosave feedback for the dossier form (htmx does the saving): a failed save is retried with a growing
// delay, and the status region (role="status") says what happened. Without JavaScript the form's
// "Save and continue" button saves.
(function () {
  "use strict";
  var delays = [2000, 5000, 10000, 30000];
  var failures = 0;
  var timer = null;

  function region() { return document.getElementById("autosave-status"); }
  function status(text) { if (region()) { region().textContent = text; } }
  function message(name, fallback) { return (region() && region().getAttribute("data-" + name)) || fallback; }

  function failed(event) {
    var form = event.detail && event.detail.elt;
    if (!form || !form.matches || !form.matches("form[data-autosave]")) { return; }
    var xhr = event.detail.xhr;
    if (xhr && xhr.status >= 400 && xhr.status < 500) {
      // refused (e.g. the dossier was signed meanwhile): retrying cannot help, say why
      status(xhr.responseText.trim());
      return;
    }
    var delay = delays[Math.min(failures, delays.length - 1)];
    failures += 1;
    status(message("retry", "Not saved yet – trying again in %s s.").replace("%s", Math.round(delay / 1000)));
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(function () { window.htmx.trigger(form, "autosave-retry"); }, delay);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail && event.detail.elt;
    if (form && form.matches && form.matches("form[data-autosave]")) { status(message("saving", "Saving…")); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail && event.detail.successful) { failures = 0; }
  });
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:timeout", failed);
})();

// Documents: a file over the limit is stopped before it is sent (the server refuses it anyway, but a
// browser sending a huge file would otherwise wait, then may only see a dropped connection).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form.document-upload")) { return; }
    var input = form.querySelector("input[type=file][data-max-bytes]");
    var error = form.querySelector(".field__errors");
    if (!input || !input.files || !input.files.length) { return; }
    if (input.files[0].size > parseInt(input.getAttribute("data-max-bytes"), 10)) {
      event.preventDefault();
      if (error) {
        error.textContent = form.getAttribute("data-too-large");
        error.hidden = false;
        var described = input.getAttribute("aria-describedby") || "";
        if (described.indexOf(error.id) === -1) { input.setAttribute("aria-describedby", (error.id + " " + described).trim()); }
      }
      input.focus();
    }
  });
})();
