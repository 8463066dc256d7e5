<?cs # oplog.cs - F4 the operation log with its filters. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.oplog) ?>
<form method="get" action="/oplog" class="filters">
<select name="op"><option value=""><?cs var:Lang.col.op_name ?>: <?cs var:Lang.page.all ?></option>
<?cs each:o = Ops ?><option value="<?cs var:o.login ?>"<?cs if:Filter.op == o.login ?> selected<?cs /if ?>><?cs var:o.login ?> <?cs var:o.name ?></option><?cs /each ?></select>
<input name="action" value="<?cs var:Filter.action ?>" placeholder="<?cs var:Lang.col.action ?>">
<label><?cs var:Lang.page.from ?> <input name="from" type="date" value="<?cs var:Filter.from ?>"></label><?cs call:err("from") ?>
<label><?cs var:Lang.page.to ?> <input name="to" type="date" value="<?cs var:Filter.to ?>"></label><?cs call:err("to") ?>
<button type="submit"><?cs var:Lang.btn.search ?></button>
</form>
<table class="list log">
<thead><tr><?cs call:th("at", Lang.col.time) ?><?cs call:th("login", Lang.col.op_name) ?><th><?cs var:Lang.col.addr ?></th><?cs call:th("action", Lang.col.action) ?><th><?cs var:Lang.col.object ?></th><th><?cs var:Lang.col.before ?></th><th><?cs var:Lang.col.after ?></th></tr></thead>
<tbody>
<?cs each:o = Rows ?><tr><td><?cs var:o.at ?></td><td><?cs var:o.login ?></td><td><?cs var:o.client_addr ?></td><td class="action"><?cs var:o.action ?></td><td><?cs var:o.object ?></td><td class="json"><?cs var:o.before_val ?></td><td class="json"><?cs var:o.after_val ?></td></tr><?cs /each ?>
<?cs if:!Rows.0.id ?><tr><td colspan="7"><?cs var:Lang.page.none ?></td></tr><?cs /if ?>
</tbody></table>
<?cs call:pager() ?>
<?cs call:foot() ?>
