/// The queue page and the three OBS overlays. Each is one self-contained HTML document (style
/// and script inline), so a copy saved as a local file works in an OBS browser source too; all
/// live data arrives as `queue` snapshots over Server-Sent Events.
enum OverlayPages {
    static func document(title: String, bodyClass: String = "", _ body: String, script: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title)</title>
        <style>
        \(OverlayAssets.stylesheet)
        </style>
        <script>
        \(OverlayAssets.script)
        </script>
        </head>
        <body class="\(bodyClass)">
        \(body)
        <script>
        \(script)
        </script>
        </body>
        </html>
        """
    }

    static let renderLineup = """
    Motherstream.onQueue(function (queue) {
      var lead = document.getElementById("lead");
      Motherstream.text(lead, queue.lead ? queue.lead.dj_name + (queue.lead.disconnected ? " (reconnecting…)" : "") : (queue.paused ? "Intermission" : "Nobody yet"));
      lead.classList.toggle("away", !!(queue.lead && queue.lead.disconnected));
      var list = document.getElementById("next");
      list.replaceChildren.apply(list, queue.waiting.slice(0, Motherstream.limit).map(function (dj) {
        var item = document.createElement("li");
        item.textContent = dj.dj_name;
        if (dj.disconnected) item.className = "away";
        return item;
      }));
      document.getElementById("next-label").hidden = queue.waiting.length === 0;
      var live = document.getElementById("live");
      if (live) live.hidden = !queue.lead || queue.lead.disconnected;
    });
    """

    /// `GET /queue-list`: the original's page — now playing, up next, live.
    static let queueList = document(title: "Motherstream — queue", bodyClass: "page", """
        <main>
        <h1>Motherstream <span id="live" class="live" hidden>LIVE</span></h1>
        <div class="overlay" role="status" aria-live="polite">
          <div class="label">Now playing</div>
          <div id="lead" class="lead">…</div>
          <div id="next-label" class="label" hidden>Up next</div>
          <ol id="next"></ol>
          <div data-status></div>
        </div>
        </main>
        """, script: renderLineup)

    /// `GET /overlays/queue`: now playing and the next `?limit=` DJs.
    static let queue = document(title: "Queue overlay", """
        <div class="overlay">
          <div class="label">Now playing <span id="live" class="live" hidden>LIVE</span></div>
          <div id="lead" class="lead">…</div>
          <div id="next-label" class="label" hidden>Up next</div>
          <ol id="next"></ol>
          <div data-status></div>
        </div>
        """, script: renderLineup)

    /// `GET /overlays/now-playing`: the lead's name, large.
    static let nowPlaying = document(title: "Now playing overlay", """
        <div class="overlay">
          <div class="label">Now playing</div>
          <div id="lead" class="lead">…</div>
          <div data-status></div>
        </div>
        """, script: """
        Motherstream.onQueue(function (queue) {
          var lead = document.getElementById("lead");
          Motherstream.text(lead, queue.lead ? queue.lead.dj_name : (queue.paused ? "Intermission" : "Nobody yet"));
          lead.classList.toggle("away", !!(queue.lead && queue.lead.disconnected));
        });
        """)

    /// `GET /overlays/timer`: HH:MM:SS to the end of the turn, counted down locally between updates.
    static let timer = document(title: "Timer overlay", """
        <div class="overlay">
          <div class="label">Time remaining</div>
          <div id="timer" class="timer">--:--:--</div>
          <div data-status></div>
        </div>
        """, script: """
        var endsAt = null;
        Motherstream.onQueue(function (queue) { endsAt = queue.lead ? Date.parse(queue.lead.ends_at) : null; render(); });
        function render() {
          Motherstream.text(document.getElementById("timer"), endsAt === null ? "--:--:--" : Motherstream.clock((endsAt - Motherstream.now()) / 1000));
        }
        setInterval(render, 250);
        """)
}
