Motherstream.onQueue(function (queue) {
  var lead = document.getElementById("lead");
  var away = !!(queue.lead && queue.lead.disconnected);
  Motherstream.show(lead.closest(".overlay"), queue.paused ? !queue.lead || !(away && Motherstream.hideAway) : !!queue.lead && !(away && Motherstream.hideAway));
  if (queue.lead || queue.paused) Motherstream.swap(lead, queue.lead ? queue.lead.dj_name : "Intermission");
  lead.classList.toggle("away", away);
  Motherstream.picture(document.getElementById("lead-picture"), queue.lead && queue.lead.picture_url);
});
