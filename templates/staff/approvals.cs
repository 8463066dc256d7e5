<?cs # approvals.cs - B8 requests waiting for a second operator, and the decided ones. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.approvals) ?>
<?cs if:Page.error ?><p class="err form-err" role="alert"><?cs var:Page.error ?></p><?cs /if ?>
<table class="list approvals">
<thead><tr><th><?cs var:Lang.col.time ?></th><th><?cs var:Lang.col.kind ?></th><th><?cs var:Lang.col.holder ?></th><th><?cs var:Lang.col.meter_number ?></th><th><?cs var:Lang.col.amount ?></th><th><?cs var:Lang.page.reason ?></th><th><?cs var:Lang.page.requested_by ?></th><th><?cs var:Lang.col.status ?></th><th></th></tr></thead>
<tbody><?cs each:o = Rows ?><tr class="ap-<?cs var:o.status ?>"><td><?cs var:o.at ?></td><td><?cs var:Lang.approval[o.kind] ?><?cs if:o.kind == "keep_power" ?> (<?cs var:o.nmeters ?>)<?cs /if ?></td><td><?cs var:o.holder ?></td><td><?cs var:o.meter ?></td><td class="money"><?cs var:o.amount ?></td><td><?cs var:o.note ?></td><td><?cs var:o.requested_by ?></td>
<td><?cs var:Lang.approval[o.status] ?><?cs if:o.decided_by ?> (<?cs var:o.decided_by ?>)<?cs /if ?><?cs if:o.result && o.kind != "keep_power" ?> <a href="/sale?id=<?cs var:o.result ?>"><?cs var:Lang.btn.view ?></a><?cs elif:o.result ?> <a href="/batch/view?id=<?cs var:o.result ?>"><?cs var:Lang.btn.view ?></a><?cs /if ?></td>
<td><?cs if:o.can_decide ?>
<form method="post" action="/approval" class="inline" data-confirm="<?cs var:Lang.confirm.approve ?>"><?cs call:csrf() ?><input type="hidden" name="id" value="<?cs var:o.id ?>"><input type="hidden" name="decision" value="approve"><button type="submit"><?cs var:Lang.btn.approve ?></button></form>
<form method="post" action="/approval" class="inline"><?cs call:csrf() ?><input type="hidden" name="id" value="<?cs var:o.id ?>"><input type="hidden" name="decision" value="reject"><button type="submit" class="link"><?cs var:Lang.btn.reject ?></button></form>
<?cs elif:o.why_not == "own" ?><span class="hint"><?cs var:Lang.page.approve_not_own ?></span>
<?cs elif:o.why_not == "right" ?><span class="hint"><?cs var:Lang.page.approve_needs ?><?cs var:o.right_name ?></span>
<?cs /if ?></td></tr><?cs /each ?>
<?cs if:!Rows.0.id ?><tr><td colspan="9"><?cs var:Lang.page.none ?></td></tr><?cs /if ?></tbody></table>
<?cs call:foot() ?>
