<?cs # payments.cs - M3 online payment orders: filters, the orders with their state, entry and notices, and the payments needing action. ?>
<?cs include:"layout.cs" ?>
<?cs if:Filter.state == "needs_refund" ?><?cs call:head(Lang.pay.title_action) ?><?cs else ?><?cs call:head(Lang.pay.title) ?><?cs /if ?>
<form method="get" action="/payments" class="filters">
<label><?cs var:Lang.pay.col.state ?> <select name="state"><option value=""><?cs var:Lang.page.all ?></option>
<?cs each:s = States ?><option value="<?cs var:s ?>"<?cs if:Filter.state == s ?> selected<?cs /if ?>><?cs var:Lang.pay.state[s] ?></option><?cs /each ?></select></label><?cs call:err("state") ?>
<label><?cs var:Lang.pay.col.channel ?> <select name="channel"><option value=""><?cs var:Lang.page.all ?></option>
<?cs each:c = Channels ?><option value="<?cs var:c ?>"<?cs if:Filter.channel == c ?> selected<?cs /if ?>><?cs var:Lang.channel[c] ?></option><?cs /each ?></select></label><?cs call:err("channel") ?>
<label><?cs var:Lang.col.building ?> <select name="building"><option value=""><?cs var:Lang.page.all ?></option>
<?cs each:o = Buildings ?><option value="<?cs var:o.id ?>"<?cs if:Filter.building == o.id ?> selected<?cs /if ?>><?cs var:o.name ?></option><?cs /each ?></select></label><?cs call:err("building") ?>
<input name="q" value="<?cs var:Filter.q ?>" placeholder="<?cs var:Lang.page.account_search ?>">
<label><?cs var:Lang.pay.col.no ?> <input name="no" value="<?cs var:Filter.no ?>" maxlength="64"></label><?cs call:err("no") ?>
<label><?cs var:Lang.page.from ?> <input name="from" type="date" value="<?cs var:Filter.from ?>"></label><?cs call:err("from") ?>
<label><?cs var:Lang.page.to ?> <input name="to" type="date" value="<?cs var:Filter.to ?>"></label><?cs call:err("to") ?>
<button type="submit"><?cs var:Lang.btn.search ?></button>
</form>
<?cs if:Filter.state == "needs_refund" ?><p class="note" id="action-note"><?cs var:Lang.pay.action_note ?></p><?cs /if ?>
<p class="totals"><?cs var:Lang.page.total ?> <span id="sum-count"><?cs var:Sum.count ?></span> <?cs var:Lang.page.rows ?>, <?cs var:Lang.page.sum ?> <span id="sum-amount"><?cs var:Sum.amount ?></span> 元</p>
<table class="list" id="payments">
<thead><tr><?cs call:th("created", Lang.pay.col.created) ?><?cs call:th("paid", Lang.pay.col.paid) ?><th><?cs var:Lang.pay.col.no ?></th><th><?cs var:Lang.pay.col.channel ?></th><th><?cs var:Lang.col.holder ?></th><th><?cs var:Lang.col.room ?></th><?cs call:th("amount", Lang.pay.col.amount) ?><th><?cs var:Lang.pay.col.state ?></th><th><?cs var:Lang.pay.col.entry ?></th><th><?cs var:Lang.pay.col.notices ?></th></tr></thead>
<tbody><?cs each:o = Rows ?><tr data-no="<?cs var:o.no ?>"><td><?cs var:o.created ?></td><td><?cs var:o.paid ?></td><td><a href="/payment?no=<?cs var:o.no ?>"><?cs var:o.no ?></a></td><td><?cs var:Lang.channel[o.channel] ?></td><td><?cs if:Op.right.F12 ?><a href="/account?id=<?cs var:o.account_id ?>"><?cs var:o.holder ?></a><?cs else ?><?cs var:o.holder ?><?cs /if ?></td><td><?cs var:o.building ?> <?cs var:o.room ?></td><td class="money"><?cs var:o.amount ?></td><td class="state"><?cs var:Lang.pay.state[o.state] ?><?cs if:o.reason ?> (<?cs alt:Lang.pay.reason[o.reason] ?><?cs var:Lang.pay.reason.other ?><?cs /alt ?>)<?cs /if ?></td><td><?cs if:o.ledger_id ?><a href="/sale?id=<?cs var:o.ledger_id ?>"><?cs var:o.ledger_id ?></a><?cs /if ?></td><td class="notices"><?cs var:o.notices ?></td></tr><?cs /each ?>
<?cs if:!Rows.0.id ?><tr><td colspan="10"><?cs var:Lang.page.none ?></td></tr><?cs /if ?></tbody></table>
<?cs call:pager() ?>
<?cs if:Filter.state == "needs_refund" ?>
<h2><?cs var:Lang.pay.bad_title ?> (<span id="n-bad"><?cs var:Bad.count ?></span>)</h2>
<p class="note"><?cs var:Lang.pay.bad_note ?></p>
<table class="list" id="bad-notices">
<thead><tr><th><?cs var:Lang.pay.col.received ?></th><th><?cs var:Lang.pay.col.channel ?></th><th><?cs var:Lang.pay.col.no ?></th><th><?cs var:Lang.pay.col.verified ?></th><th><?cs var:Lang.pay.col.outcome ?></th><th><?cs var:Lang.pay.col.addr ?></th></tr></thead>
<tbody><?cs each:o = Bad ?><tr data-id="<?cs var:o.id ?>"><td><?cs var:o.at ?></td><td><?cs var:Lang.channel[o.channel] ?></td><td><?cs if:o.known == 1 ?><a href="/payment?no=<?cs var:url_escape(o.no) ?>"><?cs var:o.no ?></a><?cs else ?><?cs var:o.no ?><?cs /if ?></td><td><?cs if:o.verified == 1 ?><?cs var:Lang.pay.yes ?><?cs else ?><?cs var:Lang.pay.no ?><?cs /if ?></td><td class="outcome"><?cs var:Lang.pay.outcome[o.outcome] ?></td><td><?cs var:o.client_addr ?></td></tr><?cs /each ?>
<?cs if:!Bad.0.id ?><tr><td colspan="6"><?cs var:Lang.page.none ?></td></tr><?cs /if ?></tbody></table>
<?cs /if ?>
<?cs call:foot() ?>
