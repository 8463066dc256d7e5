<?cs # sales.cs - F18 sales, F20 refunds and the reversals query, with gross, reversed and net totals. ?>
<?cs include:"layout.cs" ?>
<?cs if:Mode.name == "refund" ?><?cs call:head(Lang.page.refunds) ?><?cs set:Mode.path = "refunds" ?><?cs elif:Mode.name == "reversal" ?><?cs call:head(Lang.page.reversals) ?><?cs set:Mode.path = "reversals" ?><?cs else ?><?cs call:head(Lang.page.sales) ?><?cs set:Mode.path = "sales" ?><?cs /if ?>
<form method="get" action="/<?cs var:Mode.path ?>" class="filters">
<input name="q" value="<?cs var:Filter.q ?>" placeholder="<?cs var:Lang.page.account_search ?>">
<select name="op"><option value=""><?cs var:Lang.col.op_name ?>: <?cs var:Lang.page.all ?></option>
<?cs each:o = Ops ?><option value="<?cs var:o.login ?>"<?cs if:Filter.op == o.login ?> selected<?cs /if ?>><?cs var:o.login ?> <?cs var:o.name ?></option><?cs /each ?></select>
<label><?cs var:Lang.page.from ?> <input name="from" type="date" value="<?cs var:Filter.from ?>"></label><?cs call:err("from") ?>
<label><?cs var:Lang.page.to ?> <input name="to" type="date" value="<?cs var:Filter.to ?>"></label><?cs call:err("to") ?>
<button type="submit"><?cs var:Lang.btn.search ?></button>
</form>
<?cs if:Mode.name == "reversal" ?>
<p class="totals"><?cs var:Lang.page.total ?> <span id="sum-count"><?cs var:Sum.count ?></span> <?cs var:Lang.page.rows ?>, <?cs var:Lang.page.sum ?> <span id="sum-amount"><?cs var:Sum.amount ?></span> 元</p>
<?cs else ?>
<p class="totals"><?cs var:Lang.page.total ?> <span id="sum-count"><?cs var:Sum.count ?></span> <?cs var:Lang.page.rows ?>:
<?cs var:Lang.page.gross ?> <span id="sum-amount"><?cs var:Sum.amount ?></span> 元,
<?cs var:Lang.page.reversed_sum ?> <span id="sum-reversed"><?cs var:Sum.reversed ?></span> 元 (<span id="sum-rcount"><?cs var:Sum.rcount ?></span> <?cs var:Lang.page.rows ?>),
<?cs var:Lang.page.net ?> <strong id="sum-net"><?cs var:Sum.net ?></strong> 元</p>
<?cs /if ?>
<table class="list">
<thead><tr><th><?cs var:Lang.col.receipt_no ?></th><?cs call:th("at", Lang.col.time) ?><th><?cs var:Lang.col.holder ?></th><th><?cs var:Lang.col.room ?></th><th><?cs var:Lang.col.meter_number ?></th><?cs call:th("amount", Lang.col.amount) ?><?cs if:Mode.name == "reversal" ?><th><?cs var:Lang.col.orig_no ?></th><th><?cs var:Lang.page.reason ?></th><?cs /if ?><th><?cs var:Lang.col.op_name ?></th><th><?cs var:Lang.col.status ?></th><th></th></tr></thead>
<tbody><?cs each:o = Rows ?><tr<?cs if:o.reversed == 1 ?> class="reversed"<?cs /if ?>><td><?cs var:o.receipt_no ?></td><td><?cs var:o.at ?></td><td><?cs var:o.holder ?></td><td><?cs var:o.building ?> <?cs var:o.room ?></td><td><?cs var:o.meter ?></td><td class="money"><?cs var:o.amount ?></td><?cs if:Mode.name == "reversal" ?><td><?cs var:Lang.kind[o.orig_kind] ?> <a href="/sale?id=<?cs var:o.reverses ?>"><?cs var:o.orig_no ?></a></td><td><?cs var:o.note ?></td><?cs /if ?><td><?cs if:o.login ?><?cs var:o.login ?><?cs else ?><?cs var:Lang.channel[o.channel] ?><?cs /if ?></td><td><?cs var:Lang.cmd[o.status] ?><?cs if:o.reversed == 1 ?> <span class="mark">(<?cs var:Lang.mark.reversed ?>)</span><?cs /if ?></td><td><a href="/sale?id=<?cs var:o.id ?>"><?cs var:Lang.btn.view ?></a></td></tr><?cs /each ?>
<?cs if:!Rows.0.id ?><tr><td colspan="11"><?cs var:Lang.page.none ?></td></tr><?cs /if ?></tbody></table>
<?cs call:pager() ?>
<?cs call:foot() ?>
