var endsAt = null;
Motherstream.onQueue(function (queue) { endsAt = queue.lead ? Date.parse(queue.lead.ends_at) : null; render(); });
function render() {
  Motherstream.text(document.getElementById("timer"), endsAt === null ? "--:--:--" : Motherstream.clock((endsAt - Motherstream.now()) / 1000));
}
setInterval(render, 250);
