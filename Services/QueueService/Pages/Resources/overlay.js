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
