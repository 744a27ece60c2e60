Motherstream.onQueue(function (queue) {
  var lead = document.getElementById("lead");
  Motherstream.text(lead, queue.lead ? queue.lead.dj_name + (queue.lead.disconnected ? " (reconnecting…)" : "") : (queue.paused ? "Intermission" : "Nobody yet"));
  lead.classList.toggle("away", !!(queue.lead && queue.lead.disconnected));
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
