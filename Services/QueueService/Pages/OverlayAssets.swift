/// The one stylesheet and one script every queue page and overlay shares (inlined into each).
enum OverlayAssets {
    /// Live queue over Server-Sent Events: one EventSource that survives QueueService restarts,
    /// rendering the `queue` snapshots it receives. No polling. `?api=` points a page saved as a
    /// local file (e.g. an OBS browser source opened before QueueService is up) at the service.
    static let script = #"""
    (function () {
      "use strict";
      var params = new URLSearchParams(location.search);
      var api = params.get("api") || (location.protocol.indexOf("http") === 0 ? location.origin : "http://127.0.0.1:8086");
      document.documentElement.dataset.theme = params.get("theme") === "light" ? "light" : "dark";
      var limit = Math.max(0, parseInt(params.get("limit") || "5", 10) || 5);
      var lastId = null, retry = 1000, offset = 0, source = null, handlers = [];

      function setStatus(text) {
        document.querySelectorAll("[data-status]").forEach(function (el) { el.textContent = text; el.hidden = !text; });
        document.documentElement.dataset.connected = text ? "no" : "yes";
      }

      function connect() {
        source = new EventSource(api + "/api/v1/events/stream" + (lastId ? "?after=" + encodeURIComponent(lastId) : ""));
        source.addEventListener("queue", function (event) {
          lastId = event.lastEventId || lastId;
          retry = 1000;
          var queue = JSON.parse(event.data);
          offset = Date.parse(queue.server_time) - Date.now();
          setStatus("");
          handlers.forEach(function (handler) { handler(queue); });
        });
        source.onerror = function () {
          setStatus("waiting for the queue…");
          if (source.readyState === EventSource.CLOSED) {
            source.close();
            setTimeout(connect, retry);
            retry = Math.min(retry * 2, 15000);
          }
        };
      }

      window.Motherstream = {
        limit: limit,
        onQueue: function (handler) { handlers.push(handler); },
        now: function () { return Date.now() + offset; },
        text: function (el, value) { el.textContent = value; },
        clock: function (seconds) {
          seconds = Math.max(0, Math.floor(seconds));
          var pad = function (n) { return (n < 10 ? "0" : "") + n; };
          return pad(Math.floor(seconds / 3600)) + ":" + pad(Math.floor(seconds % 3600 / 60)) + ":" + pad(seconds % 60);
        }
      };
      document.addEventListener("DOMContentLoaded", function () { setStatus("waiting for the queue…"); connect(); });
    })();
    """#

    /// Transparent for OBS browser sources at 1920×1080; text on a translucent panel with a
    /// shadow stays readable over any video. `?theme=light` flips the panel.
    static let stylesheet = #"""
    :root { --fg: #fff; --muted: #c9c9d6; --accent: #ffcf4a; --panel: rgba(12, 12, 20, 0.62); --shadow: 0 2px 6px rgba(0,0,0,.85); }
    :root[data-theme="light"] { --fg: #14141c; --muted: #44445a; --accent: #a15c00; --panel: rgba(255, 255, 255, 0.78); --shadow: none; }
    html, body { margin: 0; background: transparent; color: var(--fg); font: 600 32px/1.25 system-ui, "DejaVu Sans", sans-serif; }
    .overlay { display: inline-block; margin: 24px; padding: 18px 28px; border-radius: 14px; background: var(--panel); text-shadow: var(--shadow); min-width: 360px; }
    .label { color: var(--muted); font-size: 0.6em; text-transform: uppercase; letter-spacing: 0.12em; }
    .lead { color: var(--accent); font-size: 1.5em; }
    .timer { font-variant-numeric: tabular-nums; font-size: 2.4em; letter-spacing: 0.04em; }
    ol { margin: 6px 0 0; padding-left: 1.4em; }
    li.away, .away { opacity: .55; }
    [data-status] { color: var(--muted); font-size: 0.7em; }
    [hidden] { display: none !important; }
    body.page { background: #101018; font-weight: 400; font-size: 20px; }
    body.page main { max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
    body.page .overlay { display: block; margin: 0 0 1rem; }
    .live { display: inline-block; padding: 2px 10px; border-radius: 6px; background: #d7263d; color: #fff; font-size: .6em; text-shadow: none; }
    """#
}
