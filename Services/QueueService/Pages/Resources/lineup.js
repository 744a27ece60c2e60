var endsAt = null;
Motherstream.onQueue(function (queue) {
  var lead = document.getElementById("lead");
  var away = !!(queue.lead && queue.lead.disconnected);
  var leadShown = !!queue.lead && !(away && Motherstream.hideAway);
  var page = document.body.classList.contains("page");
  Motherstream.show(lead.closest(".overlay"), leadShown || queue.paused || queue.waiting.length > 0);
  Motherstream.swap(lead, leadShown ? queue.lead.dj_name : queue.paused ? "Intermission" : page ? "Nobody is on air right now" : "");
  lead.closest(".dj").classList.toggle("gone", !leadShown && !queue.paused && !page);
  lead.classList.toggle("away", away);
  endsAt = queue.lead ? Date.parse(queue.lead.ends_at) : null;
  tick();
  Motherstream.picture(document.getElementById("lead-picture"), queue.lead && queue.lead.picture_url);
  var list = document.getElementById("next");
  list.replaceChildren.apply(list, queue.waiting.slice(0, Motherstream.limit).map(function (dj) {
    var item = document.createElement("li");
    var name = document.createElement("span");
    name.textContent = dj.dj_name;
    item.append(Motherstream.avatar(dj.picture_url), name);
    if (dj.disconnected) item.className = "away";
    return item;
  }));
  document.getElementById("next-label").hidden = queue.waiting.length === 0;
  var live = document.getElementById("live");
  if (live) live.hidden = !queue.lead || queue.lead.disconnected;
});

// The public page's clock: the time left in the turn on air.
function tick() {
  var timer = document.getElementById("timer");
  if (!timer) return;
  timer.textContent = endsAt === null ? "--:--:--" : Motherstream.clock((endsAt - Motherstream.now()) / 1000);
}
setInterval(tick, 250);
