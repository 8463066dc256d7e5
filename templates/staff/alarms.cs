<?cs # alarms.cs - F22 live alarms: the open episodes by place and kind, counts per kind, and the acknowledgement of one with a note. ?>
<?cs include:"layout.cs" ?>
<?cs def:episode(a) ?><dl class="episode"><dt><?cs var:Lang.rep.col.kind ?></dt><dd id="ack-kind"><?cs var:Lang.alarm[a.kind] ?></dd>
<dt><?cs var:Lang.rep.col.meter ?></dt><dd><?cs var:a.meter ?></dd><dt><?cs var:Lang.rep.col.room ?></dt><dd><?cs var:a.building ?> <?cs var:a.room ?></dd>
<dt><?cs var:Lang.rep.col.holder ?></dt><dd><?cs var:a.holder ?></dd><dt><?cs var:Lang.rep.col.opened ?></dt><dd><?cs var:a.opened ?></dd>
<dt><?cs var:Lang.rep.col.state ?></dt><dd id="ack-state"><?cs var:Lang.rep.state[a.state] ?></dd>
<?cs if:a.acked == 1 ?><dt><?cs var:Lang.rep.col.acked_by ?></dt><dd id="ack-by"><?cs var:a.acked_by ?> <?cs var:a.acked_at ?></dd><dt><?cs var:Lang.rep.col.note ?></dt><dd id="ack-note"><?cs var:a.ack_note ?></dd><?cs /if ?></dl><?cs /def ?>
<?cs if:Mode.ack ?>
<?cs call:head(Lang.rep.ack) ?>
<?cs call:episode(Ack) ?>
<?cs if:Mode.refused ?><p class="err" id="refused" role="alert"><?cs if:Mode.refused == "already" ?><?cs var:Lang.rep.ack_already ?><?cs else ?><?cs var:Lang.rep.ack_closed ?><?cs /if ?></p>
<?cs elif:Ack.state == "closed" ?><p class="err" id="refused"><?cs var:Lang.rep.ack_closed ?></p>
<?cs elif:Ack.acked == 1 ?><p class="err" id="refused"><?cs var:Lang.rep.ack_already ?></p>
<?cs elif:Mode.confirm == "1" ?>
<p id="ack-check"><?cs var:Lang.rep.ack_check ?></p><p class="note" id="note-shown"><?cs var:Form.note ?></p>
<form method="post" action="/report/alarm/ack"><?cs call:csrf() ?><input type="hidden" name="id" value="<?cs var:Ack.id ?>"><input type="hidden" name="note" value="<?cs var:Form.note ?>"><input type="hidden" name="confirm" value="1">
<button type="submit"><?cs var:Lang.rep.ack_yes ?></button></form>
<form method="post" action="/report/alarm/ack"><?cs call:csrf() ?><input type="hidden" name="id" value="<?cs var:Ack.id ?>"><input type="hidden" name="note" value="<?cs var:Form.note ?>"><input type="hidden" name="edit" value="1"><button type="submit" class="link"><?cs var:Lang.rep.ack_back ?></button></form>
<?cs else ?>
<form method="post" action="/report/alarm/ack"><?cs call:csrf() ?><input type="hidden" name="id" value="<?cs var:Ack.id ?>">
<?cs call:text("note", Lang.rep.ack_note, "text") ?>
<button type="submit"><?cs var:Lang.rep.ack_btn ?></button></form>
<?cs /if ?>
<p><a href="/report/alarms"><?cs var:Lang.rep.back ?></a></p>
<?cs else ?>
<?cs if:Mode.history ?><?cs call:head(Lang.rep.alarm_history) ?><?cs set:Mode.path = "/report/alarm-history" ?><?cs else ?><?cs call:head(Lang.rep.alarms) ?><?cs set:Mode.path = "/report/alarms" ?><?cs /if ?>
<?cs if:Rep.done ?><p class="ok" role="status" id="done"><?cs var:Lang.rep.done[Rep.done] ?></p><?cs /if ?>
<form method="get" action="<?cs var:Mode.path ?>" class="filters">
<label><?cs var:Lang.rep.building ?> <select name="building"><option value=""><?cs var:Lang.rep.all ?></option><?cs each:b = Buildings ?><option value="<?cs var:b.id ?>"<?cs if:Filter.building == b.id ?> selected<?cs /if ?>><?cs var:b.name ?></option><?cs /each ?></select></label><?cs call:err("building") ?>
<label><?cs var:Lang.rep.floor ?> <input name="floor" size="4" value="<?cs var:Filter.floor ?>"></label><?cs call:err("floor") ?>
<label><?cs var:Lang.rep.kind ?> <select name="kind"><option value=""><?cs var:Lang.rep.all ?></option><?cs each:k = Kinds ?><option value="<?cs var:k ?>"<?cs if:Filter.kind == k ?> selected<?cs /if ?>><?cs var:Lang.alarm[k] ?></option><?cs /each ?></select></label><?cs call:err("kind") ?>
<?cs if:Mode.history ?><label><?cs var:Lang.rep.state ?> <select name="state"><option value=""><?cs var:Lang.rep.all ?></option><option value="open"<?cs if:Filter.state == "open" ?> selected<?cs /if ?>><?cs var:Lang.rep.state.open ?></option><option value="closed"<?cs if:Filter.state == "closed" ?> selected<?cs /if ?>><?cs var:Lang.rep.state.closed ?></option></select></label><?cs call:err("state") ?><?cs /if ?>
<label><?cs var:Lang.rep.from ?> <input name="from" type="date" value="<?cs var:Filter.from ?>"></label><?cs call:err("from") ?>
<label><?cs var:Lang.rep.to ?> <input name="to" type="date" value="<?cs var:Filter.to ?>"></label><?cs call:err("to") ?>
<button type="submit"><?cs var:Lang.rep.search ?></button>
<a href="?<?cs if:List.base ?><?cs var:List.base ?>&amp;<?cs /if ?>export=xlsx" id="export"><?cs var:Lang.rep.export ?></a>
</form>
<p class="totals"><?cs var:Lang.rep.per_kind ?>: <?cs each:k = Kinds ?><?cs if:Counts[k] ?><span class="count" id="count-<?cs var:k ?>"><?cs var:Lang.alarm[k] ?> <?cs var:Counts[k] ?></span> <?cs /if ?><?cs /each ?></p>
<table class="list">
<thead><tr><?cs call:th("kind", Lang.rep.col.kind) ?><?cs call:th("meter", Lang.rep.col.meter) ?><?cs call:th("room", Lang.rep.col.room) ?><th><?cs var:Lang.rep.col.holder ?></th><th><?cs var:Lang.rep.col.gateway ?></th><?cs call:th("opened", Lang.rep.col.opened) ?><?cs if:Mode.history ?><?cs call:th("closed", Lang.rep.col.closed) ?><?cs /if ?><?cs call:th("duration", Lang.rep.col.duration) ?><th><?cs var:Lang.rep.col.remaining ?></th><th><?cs var:Lang.rep.col.acked_by ?></th><th><?cs var:Lang.rep.col.note ?></th><th></th></tr></thead>
<tbody><?cs each:a = Rows ?><tr id="alarm-<?cs var:a.id ?>"><td class="kind"><?cs var:Lang.alarm[a.kind] ?></td><td><?cs var:a.meter ?></td><td><?cs var:a.building ?> <?cs var:a.room ?></td><td><?cs var:a.holder ?></td><td><?cs var:a.gateway ?></td><td class="opened"><?cs var:a.opened ?></td><?cs if:Mode.history ?><td class="closed"><?cs if:a.closed ?><?cs var:a.closed ?><?cs else ?><?cs var:Lang.rep.state.open ?><?cs /if ?></td><?cs /if ?><td class="duration"><?cs var:a.duration ?></td><td class="money"><?cs var:a.remaining ?></td><td class="acked"><?cs if:a.acked == 1 ?><?cs var:a.acked_by ?> <?cs var:a.acked_at ?><?cs else ?><?cs var:Lang.rep.not_acked ?><?cs /if ?></td><td class="note"><?cs var:a.ack_note ?></td><td><?cs if:a.state == "open" && a.acked != 1 && Op.right.F22 ?><a href="/report/alarm/ack?id=<?cs var:a.id ?>"><?cs var:Lang.rep.ack_btn ?></a><?cs /if ?></td></tr><?cs /each ?>
<?cs if:!Rows.0.id ?><tr><td colspan="12"><?cs var:Lang.rep.none ?></td></tr><?cs /if ?></tbody></table>
<?cs call:pager() ?>
<?cs /if ?>
<?cs call:foot() ?>
