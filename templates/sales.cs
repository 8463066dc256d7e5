<?cs # sales.cs - F18 sales query with totals. ?>
<?cs include:"layout.cs" ?>
<?cs if:Mode.name == "refund" ?><?cs call:head(Lang.page.refunds) ?><?cs else ?><?cs call:head(Lang.page.sales) ?><?cs /if ?>
<form method="get" action="/<?cs if:Mode.name == "refund" ?>refunds<?cs else ?>sales<?cs /if ?>" class="filters">
<input name="q" value="<?cs var:Filter.q ?>" placeholder="<?cs var:Lang.page.account_search ?>">
<select name="op"><option value=""><?cs var:Lang.col.op_name ?>: <?cs var:Lang.page.all ?></option>
<?cs each:o = Ops ?><option value="<?cs var:o.login ?>"<?cs if:Filter.op == o.login ?> selected<?cs /if ?>><?cs var:o.login ?> <?cs var:o.name ?></option><?cs /each ?></select>
<label><?cs var:Lang.page.from ?> <input name="from" type="date" value="<?cs var:Filter.from ?>"></label><?cs call:err("from") ?>
<label><?cs var:Lang.page.to ?> <input name="to" type="date" value="<?cs var:Filter.to ?>"></label><?cs call:err("to") ?>
<button type="submit"><?cs var:Lang.btn.search ?></button>
</form>
<p class="totals"><?cs var:Lang.page.total ?> <span id="sum-count"><?cs var:Sum.count ?></span> <?cs var:Lang.page.rows ?>, <?cs var:Lang.page.sum ?> <span id="sum-amount"><?cs var:Sum.amount ?></span> 元</p>
<table class="list">
<thead><tr><th><?cs var:Lang.col.receipt_no ?></th><?cs call:th("at", Lang.col.time) ?><th><?cs var:Lang.col.holder ?></th><th><?cs var:Lang.col.room ?></th><th><?cs var:Lang.col.meter_number ?></th><?cs call:th("amount", Lang.col.amount) ?><th><?cs var:Lang.col.op_name ?></th><th><?cs var:Lang.col.status ?></th><th></th></tr></thead>
<tbody><?cs each:o = Rows ?><tr><td><?cs var:o.receipt_no ?></td><td><?cs var:o.at ?></td><td><?cs var:o.holder ?></td><td><?cs var:o.building ?> <?cs var:o.room ?></td><td><?cs var:o.meter ?></td><td class="money"><?cs var:o.amount ?></td><td><?cs var:o.operator ?></td><td><?cs var:Lang.cmd[o.status] ?><?cs if:o.reversed == 1 ?> (<?cs var:Lang.kind.reversal ?>)<?cs /if ?></td><td><a href="/sale?id=<?cs var:o.id ?>"><?cs var:Lang.btn.view ?></a></td></tr><?cs /each ?>
<?cs if:!Rows.0.id ?><tr><td colspan="9"><?cs var:Lang.page.none ?></td></tr><?cs /if ?></tbody></table>
<?cs call:pager() ?>
<?cs call:foot() ?>
