<?cs # pay-order.cs - M3 one order followed: unpaid, paid, waiting for the meter, credited, or failed and to be refunded. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.pay.order_title) ?>
<section class="card">
<p class="label"><?cs var:Lang.pay.amount ?></p>
<p class="big">¥<?cs var:Order.amount ?></p>
<p><?cs var:Lang.pay.state_label ?>: <strong id="order-state" class="state-<?cs var:Order.show ?>"><?cs var:Lang.pay.state[Order.show] ?></strong></p>
<p class="note" id="order-note"><?cs var:Lang.pay.note[Order.show] ?></p>
<p><?cs var:Lang.col.meter ?> <?cs var:Order.meter ?> · <?cs var:Order.at ?></p>
<p class="note"><?cs var:Lang.pay.order_no ?> <?cs var:Order.no ?></p>
</section>
<p><a class="btn" href="/m/pay/order?no=<?cs var:url_escape(Order.no) ?>"><?cs var:Lang.pay.refresh ?></a></p>
<p><a href="/m/"><?cs var:Lang.btn.back ?></a></p>
<?cs call:foot() ?>
