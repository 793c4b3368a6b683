/* The desk follows changes made elsewhere (the Telegram group, a colleague): it asks the server every few
   seconds for the version of what this page shows and loads the page again when it changed. Never while
   the staff member is typing: then a banner offers to reload. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var versiPath = script.getAttribute("data-versi");
  var reloadTo = script.getAttribute("data-muat") || window.location.pathname;
  var known = script.getAttribute("data-awal") || null;
  var EVERY = 5000;
  var banner = null;
  var leaving = false;

  function typing() {
    var active = document.activeElement;
    if (active && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName) && active.type !== "hidden"
        && active.type !== "submit" && active.type !== "button") {
      return true;
    }
    var fields = document.querySelectorAll("textarea, input[type=text], input[type=password], input:not([type])");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue) { return true; }
    }
    return false;
  }

  function reload() { leaving = true; window.location.assign(reloadTo); }

  function offer() {
    if (banner) { return; }
    banner = document.createElement("div");
    banner.className = "desk-live";
    banner.setAttribute("role", "status");
    var text = document.createElement("span");
    text.textContent = "Ada perubahan, muat ulang halaman. ";
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "Muat ulang";
    button.addEventListener("click", reload);
    banner.appendChild(text);
    banner.appendChild(button);
    var main = document.getElementById("isi") || document.body;
    main.insertBefore(banner, main.firstChild);
  }

  function check() {
    fetch(versiPath, { credentials: "same-origin", cache: "no-store", redirect: "manual",
                       headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body || typeof body.versi !== "string") { return; }
        if (known === null) { known = body.versi; return; }
        if (body.versi === known) { return; }
        if (typing()) { offer(); } else { reload(); }
      })
      .catch(function () { /* offline for a moment: ask again later */ })
      .then(function () { if (!leaving) { window.setTimeout(check, EVERY); } });
  }

  if (versiPath) { window.setTimeout(check, known === null ? 0 : EVERY); }
})();
