(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.dataset.copy);
      function done() { button.textContent = "Copied"; setTimeout(function () { button.textContent = "Copy"; }, 1500); }
      function fallback() {
        var type = field.type;
        field.type = "text";
        field.select();
        var copied = document.execCommand && document.execCommand("copy");
        field.type = type;
        if (copied) done(); else button.textContent = "Select and copy by hand";
      }
      if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(done, fallback); else fallback();
    });
  });
  document.querySelectorAll("[data-reveal]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.dataset.reveal);
      var show = field.type === "password";
      field.type = show ? "text" : "password";
      button.textContent = show ? "Hide" : "Show";
    });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) { if (!window.confirm(form.dataset.confirm)) event.preventDefault(); });
  });
  var zone = document.querySelector("select[data-browser-zone]");
  if (zone && !zone.dataset.chosen) {
    var browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (browser && Array.prototype.some.call(zone.options, function (option) { return option.value === browser; })) zone.value = browser;
  }
  var live = document.querySelector("[data-live]");
  if (!live) return;
  var api = live.dataset.api, me = live.dataset.user, lastId = null, retry = 1000;
  function render(queue) {
    if (me) {
      var text = "Not connected", on = false;
      if (queue.lead && queue.lead.user_id.toLowerCase() === me) { text = queue.lead.disconnected ? "On air — reconnecting…" : "On air"; on = !queue.lead.disconnected; }
      else queue.waiting.forEach(function (dj) { if (dj.user_id.toLowerCase() === me) text = "Position " + dj.position + " in the queue" + (dj.disconnected ? " (reconnecting…)" : ""); });
      live.textContent = text;
      live.classList.toggle("on", on);
    }
    var board = document.getElementById("board");
    if (board) {
      document.getElementById("lead").textContent = queue.lead ? queue.lead.dj_name + (queue.lead.disconnected ? " (reconnecting…)" : "") : (queue.paused ? "Intermission (paused)" : "Nobody on air");
      document.getElementById("paused").textContent = queue.paused ? "Paused: nobody is promoted when the turn ends." : "";
      var rows = document.getElementById("waiting");
      var template = document.getElementById("waiting-row");
      rows.replaceChildren.apply(rows, queue.waiting.map(function (dj) {
        var row = template.content.firstElementChild.cloneNode(true);
        row.querySelector(".pos").textContent = dj.position;
        row.querySelector(".name").textContent = dj.dj_name + (dj.disconnected ? " (reconnecting…)" : "");
        row.querySelectorAll("input[name=user_id]").forEach(function (input) { input.value = dj.user_id; });
        row.querySelector("input[name=position][data-up]").value = Math.max(1, dj.position - 1);
        row.querySelector("input[name=position][data-down]").value = Math.min(queue.waiting.length, dj.position + 1);
        return row;
      }));
      document.getElementById("remaining").dataset.ends = queue.lead ? queue.lead.ends_at : "";
      document.getElementById("remaining").dataset.offset = String(Date.parse(queue.server_time) - Date.now());
      tick();
    }
  }
  function connect() {
    var source = new EventSource(api + "/api/v1/events/stream" + (lastId ? "?after=" + encodeURIComponent(lastId) : ""));
    source.addEventListener("queue", function (event) { lastId = event.lastEventId || lastId; retry = 1000; render(JSON.parse(event.data)); });
    source.onerror = function () { if (source.readyState === EventSource.CLOSED) { source.close(); setTimeout(connect, retry); retry = Math.min(retry * 2, 15000); } };
  }
  function tick() {
    var remaining = document.getElementById("remaining");
    if (!remaining) return;
    var ends = Date.parse(remaining.dataset.ends || "");
    if (!ends) { remaining.textContent = "—"; return; }
    var left = Math.max(0, Math.floor((ends - Date.now() - Number(remaining.dataset.offset || 0)) / 1000));
    remaining.textContent = Math.floor(left / 3600) + ":" + String(Math.floor(left % 3600 / 60)).padStart(2, "0") + ":" + String(left % 60).padStart(2, "0");
  }
  setInterval(tick, 500);
  connect();
})();