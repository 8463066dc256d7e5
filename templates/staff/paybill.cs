<?cs # paybill.cs - B1 the gateways' bill of a day: each channel's bill as fetched, its lines matched with the orders, each mismatch with what to do. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.PayBill.title) ?>
<form method="get" action="/payments/bill" class="filters">
<label><?cs var:Lang.PayBill.day ?> <input name="day" type="date" value="<?cs var:Filter.day ?>"></label><?cs call:err("day") ?>
<label><?cs var:Lang.pay.col.channel ?> <select name="channel"><option value=""><?cs var:Lang.page.all ?></option>
<?cs each:c = Channels ?><option value="<?cs var:c ?>"<?cs if:Filter.channel == c ?> selected<?cs /if ?>><?cs var:Lang.channel[c] ?></option><?cs /each ?></select></label><?cs call:err("channel") ?>
<label><?cs var:Lang.PayBill.col.match ?> <select name="match"><option value=""><?cs var:Lang.page.all ?></option>
<?cs each:m = Matches ?><option value="<?cs var:m ?>"<?cs if:Filter.match == m ?> selected<?cs /if ?>><?cs var:Lang.PayBill.kind[m] ?></option><?cs /each ?></select></label><?cs call:err("match") ?>
<button type="submit"><?cs var:Lang.btn.search ?></button>
</form>
<p class="note"><?cs var:Lang.PayBill.note ?></p>
<table class="list" id="bills"><thead><tr><th><?cs var:Lang.pay.col.channel ?></th><th><?cs var:Lang.PayBill.col.state ?></th><th><?cs var:Lang.PayBill.col.fetched ?></th><th><?cs var:Lang.PayBill.col.lines ?></th><th><?cs var:Lang.PayBill.col.sha1 ?></th></tr></thead>
<tbody><?cs each:c = Channels ?><tr data-channel="<?cs var:c ?>"><td><?cs var:Lang.channel[c] ?></td><?cs if:Bill[c].state ?><td class="bill-state"><?cs var:Lang.PayBill.state[Bill[c].state] ?><?cs if:Bill[c].state == "failed" ?>: <?cs var:Lang.PayBill.failed_todo ?><?cs /if ?></td><td><?cs var:Bill[c].fetched ?></td><td class="bill-lines"><?cs var:Bill[c].lines ?></td><td><?cs var:Bill[c].sha1 ?></td><?cs else ?><td class="bill-state" colspan="4"><?cs var:Lang.PayBill.none ?></td><?cs /if ?></tr><?cs /each ?></tbody></table>
<?cs if:Sum.bad > 0 ?><p class="err form-err" id="bill-bad"><?cs var:Lang.PayBill.bad ?> (<span id="n-bad"><?cs var:Sum.bad ?></span>)</p><?cs elif:Sum.count > 0 ?><p class="ok" id="bill-ok"><?cs var:Lang.PayBill.ok ?></p><?cs /if ?>
<table class="list" id="bill-lines">
<thead><tr><?cs call:th("match", Lang.PayBill.col.match) ?><th><?cs var:Lang.PayBill.col.todo ?></th><th><?cs var:Lang.pay.col.channel ?></th><th><?cs var:Lang.PayBill.col.line ?></th><?cs call:th("no", Lang.pay.col.no) ?><th><?cs var:Lang.pay.col.trade_no ?></th><?cs call:th("amount", Lang.PayBill.col.bill_amount) ?><th><?cs var:Lang.PayBill.col.order_amount ?></th><th><?cs var:Lang.pay.col.state ?></th><th><?cs var:Lang.col.holder ?></th></tr></thead>
<tbody><?cs each:o = Rows ?><tr data-no="<?cs var:o.no ?>" data-kind="<?cs var:o.kind ?>" data-channel="<?cs var:o.channel ?>"><td class="kind"><?cs var:Lang.PayBill.kind[o.kind] ?></td><td class="todo"><?cs var:Lang.PayBill.todo[o.kind] ?></td><td><?cs var:Lang.channel[o.channel] ?></td><td><?cs var:Lang.PayBill.line[o.line] ?></td><td><?cs if:o.oid ?><a href="/payment?no=<?cs var:url_escape(o.no) ?>"><?cs var:o.no ?></a><?cs else ?><?cs var:o.no ?><?cs /if ?></td><td><?cs var:o.trade_no ?></td><td class="money bill-amount"><?cs var:o.bill ?></td><td class="money order-amount"><?cs var:o.order ?></td><td><?cs if:o.state ?><?cs var:Lang.pay.state[o.state] ?><?cs /if ?></td><td><?cs if:o.account_id != "0" && Op.right.F12 ?><a href="/account?id=<?cs var:o.account_id ?>"><?cs var:o.holder ?></a><?cs else ?><?cs var:o.holder ?><?cs /if ?></td></tr><?cs /each ?>
<?cs if:!Rows.0.id ?><tr><td colspan="10"><?cs var:Lang.page.none ?></td></tr><?cs /if ?></tbody></table>
<?cs call:pager() ?>
<p><a href="/payments"><?cs var:Lang.pay.back ?></a></p>
<?cs call:foot() ?>
