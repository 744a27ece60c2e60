/// The web app's one stylesheet and its little script.
enum Assets {
    static let stylesheet = #"""
    :root { --bg: #101018; --panel: #1b1b28; --fg: #f1f1f6; --muted: #a9a9bd; --accent: #ffcf4a; --danger: #ff6b6b; --ok: #4ade80; --line: #2c2c3d; }
    * { box-sizing: border-box; }
    body { margin: 0; background: var(--bg); color: var(--fg); font: 16px/1.5 system-ui, "DejaVu Sans", sans-serif; }
    a { color: var(--accent); }
    header { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; padding: .75rem 1rem; border-bottom: 1px solid var(--line); }
    header .brand { font-weight: 700; color: var(--fg); text-decoration: none; margin-right: auto; }
    header form { display: inline; }
    main { max-width: 44rem; margin: 1.5rem auto; padding: 0 1rem; }
    main.wide { max-width: 64rem; }
    .panel { background: var(--panel); border: 1px solid var(--line); border-radius: 12px; padding: 1rem 1.25rem; margin-bottom: 1rem; }
    label { display: block; font-weight: 600; margin-top: .75rem; }
    input, select, button { font: inherit; }
    input, select { width: 100%; padding: .6rem .7rem; border-radius: 8px; border: 1px solid var(--line); background: #0c0c14; color: var(--fg); }
    input[aria-invalid="true"] { border-color: var(--danger); }
    .error { color: var(--danger); font-size: .9rem; margin: .25rem 0 0; }
    .flash { border-left: 4px solid var(--accent); }
    .flash.bad { border-left-color: var(--danger); }
    button, .button { display: inline-block; margin-top: 1rem; padding: .6rem 1rem; border: 0; border-radius: 8px; background: var(--accent); color: #1b1300; font-weight: 700; cursor: pointer; text-decoration: none; }
    button.secondary { background: #34344a; color: var(--fg); }
    button.danger { background: var(--danger); color: #2a0000; }
    .row { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
    .row input { flex: 1 1 14rem; }
    .row button { margin-top: 0; }
    code, .mono { font-family: "DejaVu Sans Mono", monospace; }
    .state { font-size: 1.3rem; font-weight: 700; }
    .state.on { color: var(--ok); }
    .muted { color: var(--muted); }
    table { width: 100%; border-collapse: collapse; }
    th, td { text-align: left; padding: .45rem .4rem; border-bottom: 1px solid var(--line); vertical-align: middle; }
    td form { display: inline; }
    td button { margin: 0 .25rem 0 0; padding: .3rem .6rem; font-size: .85rem; }
    ol.steps li { margin: .3rem 0; }
    .badge { display: inline-block; padding: 0 .5rem; border-radius: 6px; background: #34344a; font-size: .8rem; }
    .badge.ok { background: #14532d; } .badge.bad { background: #7f1d1d; }
    @media (max-width: 32rem) { body { font-size: 15px; } th:nth-child(3), td:nth-child(3) { display: none; } }
    """#

    /// Copy buttons, reveal, confirmations, the browser's time zone, and the live state of a DJ
    /// or the admin queue over Server-Sent Events from QueueService.
    static let script = #"""
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
    """#
}
