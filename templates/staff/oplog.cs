<?cs # oplog.cs - F4 the operation log with its filters. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.oplog) ?>
<form method="get" action="/oplog" class="filters">
<select name="op"><option value=""><?cs var:Lang.col.op_name ?>: <?cs var:Lang.page.all ?></option>
<?cs each:o = Ops ?><option value="<?cs var:o.login ?>"<?cs if:Filter.op == o.login ?> selected<?cs /if ?>><?cs var:o.login ?> <?cs var:o.name ?></option><?cs /each ?></select>
<select name="action"><option value=""><?cs var:Lang.col.action ?>: <?cs var:Lang.page.all ?></option>
<?cs each:a = Acts ?><option value="<?cs var:a.code ?>"<?cs if:Filter.action == a.code ?> selected<?cs /if ?>><?cs var:a.label ?></option><?cs /each ?></select>
<label><?cs var:Lang.page.from ?> <input name="from" type="date" value="<?cs var:Filter.from ?>"></label><?cs call:err("from") ?>
<label><?cs var:Lang.page.to ?> <input name="to" type="date" value="<?cs var:Filter.to ?>"></label><?cs call:err("to") ?>
<button type="submit"><?cs var:Lang.btn.search ?></button>
</form>
<table class="list log">
<thead><tr><?cs call:th("at", Lang.col.time) ?><?cs call:th("login", Lang.col.op_name) ?><th><?cs var:Lang.col.addr ?></th><?cs call:th("action", Lang.col.action) ?><th><?cs var:Lang.col.object ?></th><th><?cs var:Lang.col.changes ?></th></tr></thead>
<tbody>
<?cs each:o = Rows ?><tr><td><?cs var:o.at ?></td><td><?cs var:o.login ?></td><td><?cs var:o.client_addr ?></td><td class="action" title="<?cs var:o.action ?>"><?cs var:o.action_label ?><?cs if:o.repeats > 1 ?> <span class="repeats">（<?cs var:Lang.oplog.repeat_pre ?> <?cs var:o.repeats ?> <?cs var:Lang.oplog.repeat_post ?>）</span><?cs /if ?></td><td><?cs var:o.object_label ?></td><td class="changes"><?cs each:c = o.change ?><div><span class="label"><?cs var:c.label ?></span>: <?cs if:o.after_val && o.before_val ?><del><?cs var:c.before ?></del> → <?cs var:c.after ?><?cs elif:o.after_val ?><?cs var:c.after ?><?cs else ?><?cs var:c.before ?><?cs /if ?></div><?cs /each ?></td></tr><?cs /each ?>
<?cs if:!Rows.0.id ?><tr><td colspan="6"><?cs var:Lang.page.none ?></td></tr><?cs /if ?>
</tbody></table>
<?cs call:pager() ?>
<?cs call:foot() ?>
