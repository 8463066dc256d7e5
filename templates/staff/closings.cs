<?cs # closings.cs - F14 closing records. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.closings) ?>
<form method="get" action="/closings" class="filters">
<input name="q" value="<?cs var:Filter.q ?>" placeholder="<?cs var:Lang.page.account_search ?>">
<button type="submit"><?cs var:Lang.btn.search ?></button>
</form>
<table class="list">
<thead><tr><th><?cs var:Lang.col.holder ?></th><th><?cs var:Lang.col.holder_no ?></th><th><?cs var:Lang.col.room ?></th><th><?cs var:Lang.col.status ?></th><th><?cs var:Lang.page.refunded ?></th><?cs call:th("closed", Lang.col.closed) ?><th><?cs var:Lang.col.op_name ?></th><th></th></tr></thead>
<tbody><?cs each:o = Rows ?><tr><td><?cs var:o.holder ?></td><td><?cs var:o.holder_no ?></td><td><?cs var:o.building ?> <?cs var:o.room ?></td><td><?cs var:Lang.account[o.status] ?></td><td class="money"><?cs alt:o.refunded ?>0.00<?cs /alt ?></td><td><?cs var:o.closed ?></td><td><?cs var:o.closed_by ?></td><td><a href="/account?id=<?cs var:o.id ?>"><?cs var:Lang.btn.view ?></a></td></tr><?cs /each ?>
<?cs if:!Rows.0.id ?><tr><td colspan="8"><?cs var:Lang.page.none ?></td></tr><?cs /if ?></tbody></table>
<?cs call:pager() ?>
<?cs call:foot() ?>
