Motherstream.onQueue(function (queue) {
  var lead = document.getElementById("lead");
  Motherstream.text(lead, queue.lead ? queue.lead.dj_name : (queue.paused ? "Intermission" : "Nobody yet"));
  lead.classList.toggle("away", !!(queue.lead && queue.lead.disconnected));
  Motherstream.picture(document.getElementById("lead-picture"), queue.lead && queue.lead.picture_url);
});
