(function () {
  "use strict";
  document.querySelectorAll("header a[href]").forEach(function (link) {
    if (link.getAttribute("href") === location.pathname && !link.classList.contains("brand")) link.setAttribute("aria-current", "page");
  });
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
      var label = button.getAttribute("aria-label");
      if (label) button.setAttribute("aria-label", label.replace(/^(Show|Hide)/, show ? "Hide" : "Show"));
    });
  });
  // Delegated, so forms added later from a template (the waiting list, the outputs) ask too.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form[data-confirm]") && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
  var zone = document.querySelector("select[data-browser-zone]");
  if (zone && !zone.dataset.chosen) {
    var browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (browser && Array.prototype.some.call(zone.options, function (option) { return option.value === browser; })) zone.value = browser;
  }
  var live = document.querySelector("[data-live]");
  if (!live) return;
  var api = live.dataset.api, me = live.dataset.user, lastId = null, retry = 1000, latest = null;
  var zone = live.dataset.zone || undefined;
  function clock(date) {
    try { return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", timeZone: zone }); } catch (e) { return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }); }
  }
  function serverNow(queue) { return Date.now() + (Date.parse(queue.server_time) - queue.received); }
  function left(ms) {
    var s = Math.max(0, Math.round(ms / 1000)), h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
    return h ? h + " h " + m + " min" : m ? m + " min" : s + " s";
  }
  // The DJ's own line and what follows from it: time left and who is next on air; the position,
  // who plays and when their turn should start while waiting (the lead's deadline, then a full
  // turn for each DJ ahead), in the DJ's own time zone.
  function detail(queue) {
    var box = document.getElementById("live-detail");
    if (!box) return;
    var lines = [], now = serverNow(queue), lead = queue.lead;
    var next = queue.waiting[0];
    if (lead && lead.user_id.toLowerCase() === me) {
      if (lead.stalled) lines.push("Your stream has stalled: nothing is arriving. Check your encoder.");
      lines.push("Time left in your turn: " + left(Date.parse(lead.ends_at) - now) + " (until " + clock(new Date(Date.parse(lead.ends_at))) + ").");
      lines.push(next ? "Up next: " + next.dj_name + "." : "Nobody is waiting after you.");
    } else {
      queue.waiting.forEach(function (dj) {
        if (dj.user_id.toLowerCase() !== me) return;
        lines.push(lead ? "Playing now: " + lead.dj_name + "." : (queue.paused ? "Intermission: the queue is paused." : "Nobody is on air."));
        if (lead && !queue.paused) {
          var starts = Date.parse(lead.ends_at) + (dj.position - 1) * queue.swap_interval * 1000;
          lines.push("Your turn should start around " + clock(new Date(starts)) + " (in about " + left(starts - now) + ").");
        }
      });
    }
    box.replaceChildren.apply(box, lines.map(function (text) { var p = document.createElement("p"); p.textContent = text; return p; }));
  }
  var reasons = {
    time_limit: "Your turn ended: its time was up.",
    skipped: "An admin skipped you. If your encoder reconnects by itself (OBS does), you are back in the queue at once — stop streaming if you are done.",
    dropped: "Your connection dropped and did not come back in time.",
    stalled: "Your stream stalled: nothing arrived, so your turn ended.",
    removed: "An admin took you out of the queue.",
    cleared: "An admin cleared the queue.",
    left: "You stopped streaming."
  };
  function why(event) {
    var payload = event.payload || {};
    if (!me || !payload.user_id || payload.user_id.toLowerCase() !== me) return;
    var note = document.getElementById("why");
    if (!note) return;
    var text = null;
    if (event.type === "turn.ended" || event.type === "dj.left") text = reasons[payload.reason] || null;
    if (event.type === "lead.disconnected" || event.type === "dj.disconnected") {
      text = "Your connection dropped — come back before " + clock(new Date(Date.parse(payload.ends_at))) + " to keep your place.";
    }
    if (event.type === "turn.started" || event.type === "dj.joined") text = null;
    if (text && payload.reason === "time_limit" && latest && latest.blocking && latest.blocking.enabled) {
      text += " Someone else goes on air before you can again.";
    }
    note.textContent = text || "";
    note.hidden = !text;
  }
  function render(queue) {
    queue.received = Date.now();
    latest = queue;
    if (me) {
      var text = "Not connected", on = false;
      if (queue.lead && queue.lead.user_id.toLowerCase() === me) { text = queue.lead.disconnected ? "On air — reconnecting…" : "On air"; on = !queue.lead.disconnected; }
      else queue.waiting.forEach(function (dj) { if (dj.user_id.toLowerCase() === me) text = "Position " + dj.position + " in the queue" + (dj.disconnected ? " (reconnecting…)" : ""); });
      live.textContent = text;
      live.classList.toggle("on", on);
      detail(queue);
    }
    var board = document.getElementById("board");
    if (board) {
      document.getElementById("lead").textContent = queue.lead ? queue.lead.dj_name + (queue.lead.disconnected ? " (reconnecting…)" : "") : (queue.paused ? "Intermission (paused)" : "Nobody on air");
      document.getElementById("paused").textContent = queue.paused ? "Paused: nobody is promoted when the turn ends." : "";
      var toggle = document.getElementById("pause-toggle");
      if (toggle) {
        toggle.action = queue.paused ? "/admin/queue/resume" : "/admin/queue/pause";
        toggle.querySelector("button").textContent = queue.paused ? "Resume (paused now)" : "Pause";
        toggle.querySelector("button").setAttribute("aria-pressed", queue.paused ? "true" : "false");
      }
      var rows = document.getElementById("waiting");
      var template = document.getElementById("waiting-row");
      var last = queue.waiting.length;
      var built = queue.waiting.map(function (dj) {
        var row = template.content.firstElementChild.cloneNode(true);
        row.querySelector(".pos").textContent = dj.position;
        row.querySelector(".name").textContent = dj.dj_name + (dj.disconnected ? " (reconnecting…)" : "");
        row.querySelectorAll("input[name=user_id]").forEach(function (input) { input.value = dj.user_id; });
        row.querySelector("input[name=position][data-up]").value = Math.max(1, dj.position - 1);
        row.querySelector("input[name=position][data-down]").value = Math.min(last, dj.position + 1);
        row.querySelector("input[data-up]").form.querySelector("button").disabled = dj.position === 1;
        row.querySelector("input[data-down]").form.querySelector("button").disabled = dj.position === last;
        return row;
      });
      if (!built.length) {
        var empty = document.createElement("tr"), cell = document.createElement("td");
        cell.colSpan = 3;
        cell.className = "muted";
        cell.textContent = "Nobody is waiting.";
        empty.appendChild(cell);
        built = [empty];
      }
      rows.replaceChildren.apply(rows, built);
      document.getElementById("remaining").dataset.ends = queue.lead ? queue.lead.ends_at : "";
      document.getElementById("remaining").dataset.offset = String(Date.parse(queue.server_time) - Date.now());
      tick();
    }
  }
  // Never a guess: while the queue cannot be heard the page says so, rather than "Not connected".
  function unavailable() {
    var text = "Live status unavailable — reconnecting…";
    if (me) {
      live.textContent = text;
      live.classList.remove("on");
      var box = document.getElementById("live-detail");
      if (box) box.replaceChildren();
    }
    var lead = document.getElementById("lead");
    if (lead) lead.textContent = text;
  }
  function connect() {
    var source = new EventSource(api + "/api/v1/events/stream" + (lastId ? "?after=" + encodeURIComponent(lastId) : ""));
    source.addEventListener("queue", function (event) { lastId = event.lastEventId || lastId; retry = 1000; render(JSON.parse(event.data)); });
    ["turn.ended", "turn.started", "dj.left", "dj.joined", "lead.disconnected", "dj.disconnected"].forEach(function (type) {
      source.addEventListener(type, function (event) { lastId = event.lastEventId || lastId; why(JSON.parse(event.data)); });
    });
    source.onerror = function () {
      unavailable();
      if (source.readyState === EventSource.CLOSED) { source.close(); setTimeout(connect, retry); retry = Math.min(retry * 2, 15000); }
    };
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
  setInterval(function () { if (latest && me) detail(latest); }, 1000);
  connect();
})();
(function () {
  "use strict";
  // Stream health, polled from AccountService: the logged-in DJ's own on the dashboard, every
  // connected DJ's on the night page. Polled rather than streamed: the numbers change every
  // second, and only this service may say whose they are.
  var target = document.querySelector("[data-health]");
  if (!target) return;
  var table = target.tagName === "TBODY", tone = { receiving: "ok", low_bitrate: "bad", stalled: "bad" };
  function note(message) {
    var row = document.createElement("tr"), cell = document.createElement("td");
    cell.colSpan = 3;
    cell.className = "muted";
    cell.textContent = message;
    row.appendChild(cell);
    return row;
  }
  function showPanel(health) {
    if (target.textContent !== health.text) target.textContent = health.text;
    target.classList.toggle("on", tone[health.condition] === "ok");
    target.classList.toggle("bad", tone[health.condition] === "bad");
  }
  function showRows(reply) {
    var template = document.getElementById("stream-row");
    var rows = reply.djs.map(function (dj) {
      var row = template.content.firstElementChild.cloneNode(true);
      row.querySelector(".name").textContent = dj.dj_name + " (" + dj.place + ")";
      row.querySelector(".bitrate").textContent = dj.health.bitrate;
      var badge = row.querySelector(".badge");
      badge.textContent = dj.health.text;
      if (tone[dj.health.condition]) badge.classList.add(tone[dj.health.condition]);
      return row;
    });
    target.replaceChildren.apply(target, rows.length ? rows : [note("Nobody connected")]);
  }
  function showProblem(message) {
    if (table) target.replaceChildren(note(message)); else showPanel({ text: message, condition: "" });
  }
  function poll() {
    fetch(target.dataset.health, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) showProblem(body.error ? body.error.message : "Stream health is unavailable right now.");
          else if (table) showRows(body);
          else showPanel(body);
          // Logged out: asking again cannot help until the page is reloaded.
          if (response.status !== 401) setTimeout(poll, 2000);
        });
      })
      .catch(function () { showProblem("Stream health is unavailable right now."); setTimeout(poll, 2000); });
  }
  poll();
})();
(function () {
  "use strict";
  // A picture over the limit is refused here, before 4 MB travel to be refused by the server;
  // the chosen one is previewed round, as the overlays will show it.
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    var preview = input.parentElement.querySelector("[data-picture-preview]");
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      var tooBig = !!file && file.size > Number(input.dataset.maxBytes);
      input.setCustomValidity(tooBig ? "This picture is over 4 MB. Pick a smaller one." : "");
      if (tooBig) input.reportValidity();
      if (preview && file && !tooBig) {
        preview.src = URL.createObjectURL(file);
        preview.hidden = false;
      }
    });
    // The forms are `novalidate` (the server's messages are the ones shown), so this one check
    // stops the post itself.
    input.form.addEventListener("submit", function (event) {
      if (input.validationMessage) { event.preventDefault(); input.reportValidity(); }
    });
  });
})();
(function () {
  "use strict";
  // The night page's Outputs panel, polled from AccountService (which asks HookGateway with the
  // admin's session). Rows are kept and updated in place, so a button is never swapped out
  // from under a click.
  var rows = document.querySelector("[data-outputs]");
  if (!rows) return;
  var template = document.getElementById("output-row"), tone = { live: "ok", failing: "bad" };
  function note(message) {
    var row = document.createElement("tr"), cell = document.createElement("td");
    cell.colSpan = 5;
    cell.className = "muted";
    cell.textContent = message;
    row.appendChild(cell);
    return row;
  }
  function set(row, selector, text) {
    var cell = row.querySelector(selector);
    if (cell.textContent !== text) cell.textContent = text;
  }
  function show(panel) {
    document.getElementById("outputs-source").textContent = "Source: " + panel.source;
    var kept = {};
    Array.prototype.forEach.call(rows.querySelectorAll("tr[data-id]"), function (row) { kept[row.dataset.id] = row; });
    var shown = panel.targets.map(function (target) {
      var row = kept[target.id] || template.content.firstElementChild.cloneNode(true);
      row.dataset.id = target.id;
      set(row, ".name", target.name);
      set(row, ".url", target.url);
      set(row, ".key", target.key_hint);
      set(row, ".state", target.status);
      row.querySelector(".state").className = "badge state" + (tone[target.state] ? " " + tone[target.state] : "");
      set(row, ".problem", target.problem || "");
      set(row, ".bitrate", target.bitrate);
      set(row, ".uptime", target.uptime);
      var toggle = row.querySelector("form[data-toggle]");
      toggle.action = "/admin/outputs/" + target.id + (target.enabled ? "/disable" : "/enable");
      set(toggle, "button", target.enabled ? "Disable" : "Enable");
      row.querySelector("form[data-delete]").action = "/admin/outputs/" + target.id + "/delete";
      return row;
    });
    if (!shown.length) { rows.replaceChildren(note("No outputs yet: add one below.")); return; }
    var same = shown.length === rows.children.length && shown.every(function (row, index) { return rows.children[index] === row; });
    if (!same) rows.replaceChildren.apply(rows, shown);
  }
  function poll() {
    fetch(rows.dataset.outputs, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) rows.replaceChildren(note(body.error ? body.error.message : "The outputs are unavailable right now."));
          else show(body);
          if (response.status !== 401) setTimeout(poll, 2000);
        });
      })
      .catch(function () { rows.replaceChildren(note("The outputs are unavailable right now.")); setTimeout(poll, 2000); });
  }
  poll();
})();
