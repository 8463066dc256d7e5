<?cs # reconcile.cs - B1 reconciliation: each mismatch with what to do; nothing is corrected silently. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.reconcile) ?>
<?cs if:Check.total == 0 ?><p class="ok" id="reconcile-ok"><?cs var:Lang.page.reconcile_ok ?></p>
<?cs else ?><p class="err form-err" id="reconcile-bad"><?cs var:Lang.page.reconcile_bad ?> (<?cs var:Check.total ?>)</p><?cs /if ?>
<h2><?cs var:Lang.page.rc_counts ?> (<span id="n-counts"><?cs var:Check.Counts ?></span>)</h2>
<p class="note"><?cs var:Lang.page.rc_counts_todo ?></p>
<?cs if:Counts.0.id ?><table class="list"><thead><tr><th><?cs var:Lang.col.meter_number ?></th><th><?cs var:Lang.page.meter_count ?></th><th><?cs var:Lang.page.issued_count ?></th><th><?cs var:Lang.page.confirmed_count ?></th><th><?cs var:Lang.page.read_at ?></th></tr></thead>
<tbody><?cs each:o = Counts ?><tr><td><a href="/meter/history?meter=<?cs var:o.number ?>"><?cs var:o.number ?></a></td><td><?cs var:o.meter_count ?></td><td><?cs var:o.issued ?></td><td><?cs var:o.confirmed ?></td><td><?cs var:o.read_at ?></td></tr><?cs /each ?></tbody></table><?cs /if ?>
<h2><?cs var:Lang.page.rc_entries ?> (<span id="n-entries"><?cs var:Check.Entries ?></span>)</h2>
<p class="note"><?cs var:Lang.page.rc_entries_todo ?></p>
<?cs if:Entries.0.id ?><table class="list"><tbody><?cs each:o = Entries ?><tr><td><a href="/sale?id=<?cs var:o.id ?>"><?cs var:o.id ?></a></td><td><?cs var:Lang.kind[o.kind] ?></td><td><?cs var:o.amount ?></td><td><?cs var:o.number ?></td><td><?cs var:Lang.cmdkind[o.ckind] ?> <?cs var:o.camount ?></td></tr><?cs /each ?></tbody></table><?cs /if ?>
<h2><?cs var:Lang.page.rc_orphans ?> (<span id="n-orphans"><?cs var:Check.Orphans ?></span>)</h2>
<p class="note"><?cs var:Lang.page.rc_orphans_todo ?></p>
<?cs if:Orphans.0.id ?><table class="list"><tbody><?cs each:o = Orphans ?><tr><td><?cs var:o.at ?></td><td><?cs var:o.number ?></td><td><?cs var:Lang.cmdkind[o.kind] ?></td><td><?cs var:o.amount ?></td><td><?cs var:Lang.cmd[o.status] ?></td></tr><?cs /each ?></tbody></table><?cs /if ?>
<h2><?cs var:Lang.page.rc_failed ?> (<span id="n-failed"><?cs var:Check.Failed ?></span>)</h2>
<p class="note"><?cs var:Lang.page.rc_failed_todo ?></p>
<?cs if:Failed.0.id ?><table class="list"><tbody><?cs each:o = Failed ?><tr><td><a href="/sale?id=<?cs var:o.id ?>"><?cs var:o.at ?></a></td><td><?cs var:o.number ?></td><td><?cs var:Lang.kind[o.kind] ?></td><td><?cs var:o.amount ?></td><td><?cs var:o.error ?></td></tr><?cs /each ?></tbody></table><?cs /if ?>
<?cs call:foot() ?>
