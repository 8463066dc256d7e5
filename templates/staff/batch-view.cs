<?cs # batch-view.cs - F15/B3 the progress of each command of a batch. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.batch_view) ?>
<?cs if:Count.pending > 0 ?><meta http-equiv="refresh" content="3"><?cs /if ?>
<p><?cs var:Lang.action[Batch.action] ?>, <?cs var:Batch.meters ?> <?cs var:Lang.page.meters_unit ?>, <?cs var:Batch.login ?>, <?cs var:Batch.at ?></p>
<table class="counts progress">
<?cs if:Batch.action == "read" ?>
<tr class="st-confirmed"><th><?cs var:Lang.readout.read ?></th><td id="n-read"><?cs alt:Reads.read ?>0<?cs /alt ?></td></tr>
<tr class="st-failed"><th><?cs var:Lang.readout.failed ?></th><td id="n-read-failed"><?cs alt:Reads.failed ?>0<?cs /alt ?></td></tr>
<tr class="st-failed"><th><?cs var:Lang.readout.unknown ?></th><td id="n-read-unknown"><?cs alt:Reads.unknown ?>0<?cs /alt ?></td></tr>
<tr class="st-queued"><th><?cs var:Lang.readout.pending ?></th><td id="n-read-pending"><?cs alt:Reads.pending ?>0<?cs /alt ?></td></tr>
<?cs if:Reads.done ?><tr><th><?cs var:Lang.readout.done ?></th><td id="n-read-done"><?cs var:Reads.done ?></td></tr><?cs /if ?>
<?cs else ?>
<tr class="st-queued"><th><?cs var:Lang.cmd.queued ?></th><td id="n-queued"><?cs alt:Count.queued ?>0<?cs /alt ?></td></tr>
<tr class="st-sent"><th><?cs var:Lang.cmd.sent ?></th><td id="n-sent"><?cs alt:Count.sent ?>0<?cs /alt ?></td></tr>
<tr class="st-waiting"><th><?cs var:Lang.cmd.waiting ?></th><td id="n-waiting"><?cs alt:Count.waiting ?>0<?cs /alt ?></td></tr>
<tr class="st-confirmed"><th><?cs var:Lang.cmd.confirmed ?></th><td id="n-confirmed"><?cs alt:Count.confirmed ?>0<?cs /alt ?></td></tr>
<tr class="st-failed"><th><?cs var:Lang.cmd.failed ?></th><td id="n-failed"><?cs alt:Count.failed ?>0<?cs /alt ?></td></tr>
<?cs /if ?>
</table>
<?cs if:ReadRows.0.id ?>
<table class="list" id="read-rows"><thead><tr><th><?cs var:Lang.col.meter_number ?></th><th><?cs var:Lang.col.room ?></th><th><?cs var:Lang.col.status ?></th><th><?cs var:Lang.page.reason ?></th><th><?cs var:Lang.page.read_at ?></th></tr></thead>
<tbody><?cs each:o = ReadRows ?><tr class="read-<?cs var:o.status ?>"><td><?cs var:o.number ?></td><td><?cs var:o.building ?> <?cs var:o.room ?></td><td><?cs var:Lang.readout[o.status] ?></td><td><?cs if:o.reason ?><?cs var:Lang.readreason[o.reason] ?><?cs elif:o.status == "unknown" ?><?cs var:Lang.readreason.unknown ?><?cs /if ?></td><td><?cs var:o.at ?></td></tr><?cs /each ?></tbody></table>
<?cs /if ?>
<?cs if:Rows.0.id ?>
<table class="list"><thead><tr><th><?cs var:Lang.col.meter_number ?></th><th><?cs var:Lang.col.room ?></th><th><?cs var:Lang.col.status ?></th><th><?cs var:Lang.page.tries ?></th><th><?cs var:Lang.page.reason ?></th></tr></thead>
<tbody><?cs each:o = Rows ?><tr class="st-<?cs var:o.status ?>"><td><?cs var:o.number ?></td><td><?cs var:o.building ?> <?cs var:o.room ?></td><td><?cs var:Lang.cmd[o.status] ?></td><td><?cs var:o.tries ?></td><td class="cmd-error" title="<?cs var:o.error ?>"><?cs var:o.error_text ?></td></tr><?cs /each ?></tbody></table>
<?cs /if ?>
<p><a href="/batch"><?cs var:Lang.btn.cancel ?></a></p>
<?cs call:foot() ?>
