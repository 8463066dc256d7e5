<?cs # payrefund.cs - M3 refund of an online payment back to the payer through the gateway: the order, the reason, the confirmation; or why it cannot be refunded this way. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.PayRefund.title) ?>
<table class="counts" id="refund-order">
<tr><th><?cs var:Lang.pay.col.no ?></th><td><a href="/payment?no=<?cs var:url_escape(Order.no) ?>"><?cs var:Order.no ?></a></td></tr>
<tr><th><?cs var:Lang.col.holder ?></th><td><?cs var:Order.holder ?></td></tr>
<tr><th><?cs var:Lang.col.room ?></th><td><?cs var:Order.building ?> <?cs var:Order.room ?></td></tr>
<tr><th><?cs var:Lang.pay.col.channel ?></th><td><?cs var:Lang.channel[Order.channel] ?></td></tr>
<tr><th><?cs var:Lang.pay.col.amount ?></th><td class="money" id="refund-amount"><?cs var:Order.amount ?></td></tr>
<tr><th><?cs var:Lang.pay.col.state ?></th><td id="refund-order-state"><?cs var:Lang.pay.state[Order.state] ?><?cs if:Order.refund_state ?> · <?cs var:Lang.PayRefund.state[Order.refund_state] ?><?cs /if ?></td></tr>
</table>
<?cs if:Page.ok ?><p class="ok" id="refund-ok"><?cs var:Lang.PayRefund.ok ?></p><?cs /if ?>
<?cs if:Refuse.why ?><p class="err form-err" role="alert" id="refund-why"><?cs alt:Lang.PayRefund.why[Refuse.why] ?><?cs var:Lang.PayRefund.why.none ?><?cs /alt ?></p>
<?cs else ?>
<p class="note"><?cs var:Lang.PayRefund.lead ?></p>
<form method="post" action="/payrefund" class="form" data-confirm="<?cs var:Lang.PayRefund.refund ?> ¥<?cs var:Order.amount ?> <?cs var:Lang.PayRefund.to[Order.channel] ?>">
<?cs call:csrf() ?>
<input type="hidden" name="no" value="<?cs var:Order.no ?>">
<input type="hidden" name="idem" value="<?cs var:Form.idem ?>">
<?cs call:text("reason", Lang.PayRefund.reason, "text") ?>
<label class="check"><input type="checkbox" name="confirm" value="1" id="f-confirm"> <?cs var:Lang.PayRefund.confirm ?></label><?cs call:err("confirm") ?>
<p class="hint"><?cs if:Page.approval == 1 ?><?cs var:Lang.PayRefund.hint_approval ?><?cs else ?><?cs var:Lang.PayRefund.hint_job ?><?cs /if ?></p>
<button type="submit" id="refund-go"><?cs var:Lang.PayRefund.refund ?> ¥<?cs var:Order.amount ?> <?cs var:Lang.PayRefund.to[Order.channel] ?></button>
<a href="/payment?no=<?cs var:url_escape(Order.no) ?>"><?cs var:Lang.btn.cancel ?></a>
</form>
<?cs /if ?>
<?cs call:foot() ?>
