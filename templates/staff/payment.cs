<?cs # payment.cs - M3 one online payment order: who paid how much, its state and ledger entry, and every notice received as it came (escaped). ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.pay.order_title) ?>
<dl class="order" id="order">
<dt><?cs var:Lang.pay.col.no ?></dt><dd id="o-no"><?cs var:Order.no ?></dd>
<dt><?cs var:Lang.pay.col.channel ?></dt><dd><?cs var:Lang.channel[Order.channel] ?></dd>
<dt><?cs var:Lang.pay.col.trade_no ?></dt><dd id="o-trade"><?cs var:Order.trade_no ?></dd>
<dt><?cs var:Lang.col.holder ?></dt><dd><?cs if:Op.right.F12 ?><a href="/account?id=<?cs var:Order.account_id ?>"><?cs var:Order.holder ?></a><?cs else ?><?cs var:Order.holder ?><?cs /if ?></dd>
<dt><?cs var:Lang.col.room ?></dt><dd><?cs var:Order.building ?> <?cs var:Order.room ?></dd>
<dt><?cs var:Lang.col.meter_number ?></dt><dd><?cs var:Order.meter ?></dd>
<dt><?cs var:Lang.pay.col.amount ?></dt><dd class="money" id="o-amount"><?cs var:Order.amount ?></dd>
<dt><?cs var:Lang.pay.col.state ?></dt><dd id="o-state"><?cs var:Lang.pay.state[Order.state] ?><?cs if:Order.reason ?> (<?cs alt:Lang.pay.reason[Order.reason] ?><?cs var:Lang.pay.reason.other ?><?cs /alt ?>)<?cs /if ?></dd>
<dt><?cs var:Lang.pay.col.created ?></dt><dd><?cs var:Order.created ?></dd>
<dt><?cs var:Lang.pay.col.paid ?></dt><dd><?cs var:Order.paid ?></dd>
<dt><?cs var:Lang.pay.col.entry ?></dt><dd id="o-entry"><?cs if:Order.ledger_id ?><a href="/sale?id=<?cs var:Order.ledger_id ?>"><?cs var:Order.ledger_id ?></a> <?cs var:Order.entry_at ?> <?cs var:Order.entry ?> 元 <?cs var:Lang.cmd[Order.cmd_status] ?><?cs else ?><?cs var:Lang.pay.no_entry ?><?cs /if ?></dd>
</dl>
<?cs if:Order.state == "needs_refund" ?><p class="err" id="o-refund"><?cs var:Lang.pay.refund_note ?></p><?cs /if ?>
<?cs if:Order.refund_state ?><p class="note" id="o-refund-state"><?cs var:Lang.PayRefund.col.state ?>: <?cs var:Lang.PayRefund.state[Order.refund_state] ?></p>
<?cs elif:Order.state == "needs_refund" && Op.right.F19 && Op.right.PAY ?><form method="get" action="/payrefund" class="inline"><input type="hidden" name="no" value="<?cs var:Order.no ?>"><button type="submit" id="o-refund-go"><?cs var:Lang.PayRefund.refund ?> ¥<?cs var:Order.amount ?> <?cs var:Lang.PayRefund.to[Order.channel] ?></button></form><?cs /if ?>
<h2><?cs var:Lang.pay.notices_title ?> (<span id="n-notices"><?cs var:Order.notices ?></span>)</h2>
<table class="list" id="notices">
<thead><tr><th><?cs var:Lang.pay.col.received ?></th><th><?cs var:Lang.pay.col.verified ?></th><th><?cs var:Lang.pay.col.outcome ?></th><th><?cs var:Lang.pay.col.addr ?></th><th><?cs var:Lang.pay.col.body ?></th></tr></thead>
<tbody><?cs each:n = Notices ?><tr data-id="<?cs var:n.id ?>"><td><?cs var:n.at ?></td><td><?cs if:n.verified == 1 ?><?cs var:Lang.pay.yes ?><?cs else ?><?cs var:Lang.pay.no ?><?cs /if ?></td><td class="outcome"><?cs var:Lang.pay.outcome[n.outcome] ?></td><td><?cs var:n.client_addr ?></td><td class="json raw"><?cs var:n.body ?></td></tr><?cs /each ?>
<?cs if:!Notices.0.id ?><tr><td colspan="5"><?cs var:Lang.page.none ?></td></tr><?cs /if ?></tbody></table>
<p><a href="/payments"><?cs var:Lang.pay.back ?></a></p>
<?cs call:foot() ?>
