(function () {
  "use strict";
  var params = new URLSearchParams(location.search);
  var api = params.get("api") || (location.protocol.indexOf("http") === 0 ? location.origin : "http://127.0.0.1:8086");
  document.documentElement.dataset.theme = params.get("theme") === "light" ? "light" : "dark";
  var limit = Math.max(0, parseInt(params.get("limit") || "5", 10) || 5);
  var lastId = null, retry = 1000, offset = 0, source = null, handlers = [];
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  // On air nothing internal is shown: the connection's state is for the operator, on the public
  // page (/queue-list) or with ?status=show. The overlay says it only as data-connected.
  function setStatus(text) {
    var shown = params.get("status") === "show" || document.body.classList.contains("page");
    document.querySelectorAll("[data-status]").forEach(function (el) { el.textContent = shown ? text : ""; el.hidden = !(shown && text); });
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
    // A DJ who dropped stays on screen, dimmed, while they may come back (?away=hide hides them).
    hideAway: params.get("away") === "hide",
    // A change fades out and in, so a handover looks produced, not like a reload (none with
    // prefers-reduced-motion).
    text: function (el, value) { el.textContent = value; },
    swap: function (el, value) {
      if (el.textContent === value && !el.classList.contains("fading")) return;
      if (still || !el.textContent || el.textContent === "…") { el.textContent = value; return; }
      el.classList.add("fading");
      clearTimeout(el.fadeTimer);
      el.fadeTimer = setTimeout(function () { el.textContent = value; el.classList.remove("fading"); }, 250);
    },
    // An overlay with nothing to say is not drawn at all; the public page always is.
    show: function (box, visible) {
      if (document.body.classList.contains("page")) visible = true;
      box.classList.toggle("gone", !visible);
    },
    // A DJ's picture (`picture_url`): shown once it has loaded, hidden when there is none or it
    // cannot be loaded (replaced or removed since), so a broken image is never on the broadcast.
    picture: function (img, url) {
      if (typeof url !== "string" || !/^https?:\/\//i.test(url)) {
        img.hidden = true;
        img.removeAttribute("src");
        return;
      }
      if (img.getAttribute("src") === url) return;
      img.hidden = true;
      img.onload = function () { img.hidden = false; };
      img.onerror = function () { img.hidden = true; };
      img.src = url;
      if (img.complete && img.naturalWidth > 0) img.hidden = false;
    },
    avatar: function (url) {
      var img = document.createElement("img");
      img.className = "avatar";
      img.alt = "";
      img.hidden = true;
      Motherstream.picture(img, url);
      return img;
    },
    clock: function (seconds) {
      seconds = Math.max(0, Math.floor(seconds));
      var pad = function (n) { return (n < 10 ? "0" : "") + n; };
      return pad(Math.floor(seconds / 3600)) + ":" + pad(Math.floor(seconds % 3600 / 60)) + ":" + pad(seconds % 60);
    }
  };
  document.addEventListener("DOMContentLoaded", function () { setStatus("waiting for the queue…"); connect(); });
})();
