<?cs # reconcile.cs - B1 reconciliation: each mismatch with what to do; nothing is corrected silently. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.reconcile) ?>
<?cs if:Check.total == 0 ?><p class="ok" id="reconcile-ok"><?cs var:Lang.page.reconcile_ok ?></p>
<?cs else ?><p class="err form-err" id="reconcile-bad"><?cs var:Lang.page.reconcile_bad ?> (<?cs var:Check.total ?>)</p><?cs /if ?>
<?cs if:Daily.at ?><p class="note" id="daily-run"><?cs var:Lang.page.rc_daily ?> <?cs var:Daily.at ?>: <?cs var:Daily.total ?> (<?cs var:Daily.detail ?>)</p><?cs /if ?>
<h2><?cs var:Lang.page.rc_counts ?> (<span id="n-counts"><?cs var:Check.Counts ?></span>)</h2>
<p class="note"><?cs var:Lang.page.rc_counts_todo ?></p>
<?cs if:Counts.0.id ?><table class="list"><thead><tr><th><?cs var:Lang.col.meter_number ?></th><th><?cs var:Lang.page.meter_count ?></th><th><?cs var:Lang.page.issued_count ?></th><th><?cs var:Lang.page.confirmed_count ?></th><th><?cs var:Lang.page.read_at ?></th></tr></thead>
<tbody><?cs each:o = Counts ?><tr><td><a href="/meter/history?meter=<?cs var:o.number ?>"><?cs var:o.number ?></a></td><td><?cs var:o.meter_count ?></td><td><?cs var:o.issued ?></td><td><?cs var:o.confirmed ?></td><td><?cs var:o.read_at ?></td></tr><?cs /each ?></tbody></table><?cs /if ?>
<h2><?cs var:Lang.page.rc_entries ?> (<span id="n-entries"><?cs var:Check.Entries ?></span>)</h2>
<p class="note"><?cs var:Lang.page.rc_entries_todo ?></p>
<?cs if:Entries.0.id ?><table class="list"><tbody><?cs each:o = Entries ?><tr><td><a href="/sale?id=<?cs var:o.id ?>"><?cs var:o.id ?></a></td><td><?cs var:Lang.kind[o.kind] ?></td><td><?cs var:o.amount ?></td><td><?cs var:o.number ?></td><td><?cs var:Lang.cmdkind[o.ckind] ?> <?cs var:o.camount ?></td></tr><?cs /each ?></tbody></table><?cs /if ?>
<h2><?cs var:Lang.page.rc_orphans ?> (<span id="n-orphans"><?cs var:Check.Orphans ?></span>)</h2>
<p class="note"><?cs var:Lang.page.rc_orphans_todo ?></p>
<?cs if:Orphans.0.id ?><table class="list"><tbody><?cs each:o = Orphans ?><tr><td><?cs var:o.at ?></td><td><?cs var:o.number ?></td><td><?cs var:Lang.cmdkind[o.kind] ?></td><td><?cs var:o.amount ?></td><td><?cs var:Lang.cmd[o.status] ?></td></tr><?cs /each ?></tbody></table><?cs /if ?>
<h2><?cs var:Lang.page.rc_failed ?> (<span id="n-failed"><?cs var:Check.Failed ?></span>)</h2>
<p class="note"><?cs var:Lang.page.rc_failed_todo ?></p>
<?cs if:Failed.0.id ?><table class="list"><tbody><?cs each:o = Failed ?><tr><td><a href="/sale?id=<?cs var:o.id ?>"><?cs var:o.at ?></a></td><td><?cs var:o.number ?></td><td><?cs var:Lang.kind[o.kind] ?></td><td><?cs var:o.amount ?></td><td class="cmd-error" title="<?cs var:o.error ?>"><?cs var:o.error_text ?></td></tr><?cs /each ?></tbody></table><?cs /if ?>
<h2><?cs var:Lang.page.rc_held ?> (<span id="n-held"><?cs var:Check.Held ?></span>)</h2>
<p class="note"><?cs var:Lang.page.rc_held_todo ?></p>
<?cs if:Held.0.id ?><table class="list"><tbody><?cs each:o = Held ?><tr><td><?cs var:o.at ?></td><td><a href="/meter/history?meter=<?cs var:o.number ?>"><?cs var:o.number ?></a></td><td><?cs var:Lang.cmdkind[o.kind] ?></td><td><?cs var:o.amount ?></td><td><?cs var:o.purchase_count ?></td><td class="cmd-error" title="<?cs var:o.error ?>"><?cs var:o.error_text ?></td></tr><?cs /each ?></tbody></table><?cs /if ?>
<h2><?cs var:Lang.page.rc_tiers ?> (<span id="n-tiers"><?cs var:Check.Tiers ?></span>)</h2>
<p class="note"><?cs var:Lang.page.rc_tiers_todo ?></p>
<?cs if:Tiers.0.id ?><table class="list"><tbody><?cs each:o = Tiers ?><tr><td><a href="/account?id=<?cs var:o.account_id ?>"><?cs var:o.month ?></a></td><td><?cs var:o.number ?></td><td><?cs var:o.exact ?></td><td><?cs var:o.deducted ?></td><td><?cs var:o.adjust ?></td><td><?cs if:Op.right.ADJ ?><a href="/adjust?account=<?cs var:o.account_id ?>"><?cs var:Lang.btn.adjust ?></a><?cs /if ?></td></tr><?cs /each ?></tbody></table><?cs /if ?>
<h2><?cs var:Lang.page.rc_closings ?> (<span id="n-closings"><?cs var:Check.Closings ?></span>)</h2>
<p class="note"><?cs var:Lang.page.rc_closings_todo ?></p>
<?cs if:Closings.0.id ?><table class="list" id="closings"><tbody><?cs each:o = Closings ?><tr data-meter="<?cs var:o.number ?>"><td><a href="/close?id=<?cs var:o.id ?>"><?cs var:o.holder ?></a></td><td><?cs var:Lang.account[o.status] ?></td><td><?cs var:o.at ?></td><td><?cs var:o.number ?></td><td class="money"><?cs var:o.amount ?></td><td><?cs if:o.step ?><?cs var:Lang.closestep[o.step] ?><?cs /if ?></td></tr><?cs /each ?></tbody></table><?cs /if ?>
<h2><?cs var:Lang.pay.rc_entries ?> (<span id="n-pay-entries"><?cs var:Check.PayEntries ?></span>)</h2>
<p class="note"><?cs var:Lang.pay.rc_entries_todo ?></p>
<?cs if:PayEntries.0.id ?><table class="list" id="pay-entries"><thead><tr><th><?cs var:Lang.pay.col.created ?></th><th><?cs var:Lang.pay.col.no ?></th><th><?cs var:Lang.pay.col.channel ?></th><th><?cs var:Lang.pay.col.state ?></th><th><?cs var:Lang.pay.col.amount ?></th><th><?cs var:Lang.pay.col.entry ?></th></tr></thead>
<tbody><?cs each:o = PayEntries ?><tr data-no="<?cs var:o.no ?>"><td><?cs var:o.at ?></td><td><?cs if:Op.right.PAY ?><a href="/payment?no=<?cs var:o.no ?>"><?cs var:o.no ?></a><?cs else ?><?cs var:o.no ?><?cs /if ?></td><td><?cs var:Lang.channel[o.channel] ?></td><td><?cs var:Lang.pay.state[o.state] ?></td><td class="money"><?cs var:o.amount ?></td><td><?cs if:o.ledger_id ?><a href="/sale?id=<?cs var:o.ledger_id ?>"><?cs var:o.ledger_id ?></a> <?cs var:o.entry ?><?cs else ?><?cs var:Lang.pay.no_entry ?><?cs /if ?></td></tr><?cs /each ?></tbody></table><?cs /if ?>
<h2><?cs var:Lang.pay.rc_orders ?> (<span id="n-pay-orders"><?cs var:Check.PayOrders ?></span>)</h2>
<p class="note"><?cs var:Lang.pay.rc_orders_todo ?></p>
<?cs if:PayOrders.0.id ?><table class="list" id="pay-orders"><tbody><?cs each:o = PayOrders ?><tr data-entry="<?cs var:o.id ?>"><td><a href="/sale?id=<?cs var:o.id ?>"><?cs var:o.at ?></a></td><td><?cs var:o.number ?></td><td><?cs var:Lang.channel[o.channel] ?></td><td class="money"><?cs var:o.amount ?></td><td><?cs if:o.no ?><?cs var:o.no ?> <?cs var:Lang.pay.state[o.state] ?><?cs else ?><?cs var:Lang.pay.no_order ?><?cs /if ?></td></tr><?cs /each ?></tbody></table><?cs /if ?>
<h2><?cs var:Lang.PayBill.rc ?> (<span id="n-pay-bill"><?cs var:Check.PayBill ?></span>)</h2>
<p class="note"><?cs var:Lang.PayBill.rc_todo ?></p>
<?cs if:PayBill.0.id ?><table class="list" id="pay-bill"><thead><tr><th><?cs var:Lang.PayBill.day ?></th><th><?cs var:Lang.pay.col.channel ?></th><th><?cs var:Lang.PayBill.col.match ?></th><th><?cs var:Lang.pay.col.no ?></th><th><?cs var:Lang.PayBill.col.bill_amount ?></th><th><?cs var:Lang.PayBill.col.order_amount ?></th><th><?cs var:Lang.PayBill.col.todo ?></th></tr></thead>
<tbody><?cs each:o = PayBill ?><tr data-no="<?cs var:o.no ?>" data-kind="<?cs var:o.kind ?>"><td><?cs if:Op.right.PAY ?><a href="/payments/bill?day=<?cs var:url_escape(o.day) ?>&amp;channel=<?cs var:url_escape(o.channel) ?>"><?cs var:o.day ?></a><?cs else ?><?cs var:o.day ?><?cs /if ?></td><td><?cs var:Lang.channel[o.channel] ?></td><td class="kind"><?cs var:Lang.PayBill.kind[o.kind] ?></td><td><?cs var:o.no ?></td><td class="money"><?cs var:o.bill ?></td><td class="money"><?cs var:o.order ?></td><td class="todo"><?cs var:Lang.PayBill.todo[o.kind] ?></td></tr><?cs /each ?></tbody></table><?cs /if ?>
<h2><?cs var:Lang.page.rc_balances ?> (<span id="n-balances"><?cs var:Check.Balances ?></span>)</h2>
<p class="note"><?cs var:Lang.page.rc_balances_todo ?> <?cs var:Lang.page.rc_checked ?>: <span id="n-checked"><?cs var:Check.balances_checked ?></span></p>
<?cs if:Balances.0.account ?><table class="list" id="balances"><thead><tr><th><?cs var:Lang.col.holder ?></th><th><?cs var:Lang.col.meter_number ?></th><th><?cs var:Lang.page.bal_from ?></th><th><?cs var:Lang.page.bal_to ?></th><th><?cs var:Lang.page.bal_ledger ?></th><th><?cs var:Lang.page.bal_took ?></th><th><?cs var:Lang.page.bal_used ?></th><th><?cs var:Lang.page.bal_diff ?></th><th></th></tr></thead>
<tbody><?cs each:o = Balances ?><tr data-meter="<?cs var:o.number ?>"><td><a href="/account?id=<?cs var:o.account ?>"><?cs var:o.holder ?></a></td><td><?cs var:o.number ?></td><td><?cs var:o.from ?> (<?cs var:o.money_from ?>)</td><td><?cs var:o.to ?> (<?cs var:o.money_to ?>)</td><td><?cs var:o.ledger ?></td><td><?cs var:o.took ?></td><td><?cs var:o.used_lo ?><?cs if:o.used_hi != o.used_lo ?> - <?cs var:o.used_hi ?><?cs /if ?></td><td class="diff"><?cs var:o.diff ?></td><td><?cs if:Op.right.ADJ ?><a href="/adjust?account=<?cs var:o.account ?>"><?cs var:Lang.btn.adjust ?></a><?cs /if ?></td></tr><?cs /each ?></tbody></table><?cs /if ?>
<h2><?cs var:Lang.page.rc_opening ?></h2>
<p class="note"><?cs var:Lang.page.rc_opening_note ?></p>
<p><?cs var:Lang.page.rc_unclaimed ?>: <span class="money" id="unclaimed"><?cs var:Check.unclaimed ?></span></p>
<?cs if:Opening.0.id ?><table class="list" id="opening-money"><tbody><?cs each:o = Opening ?><tr data-meter="<?cs var:o.number ?>"><td><?cs var:o.at ?></td><td><?cs var:o.number ?></td><td><?cs var:Lang.kind[o.kind] ?></td><td class="money"><?cs var:o.amount ?></td><td><?cs if:o.account_id != "0" ?><a href="/account?id=<?cs var:o.account_id ?>"><?cs var:o.holder ?></a><?cs else ?><?cs var:Lang.page.no_holder ?><?cs /if ?></td></tr><?cs /each ?></tbody></table><?cs /if ?>
<?cs call:foot() ?>
