<?cs # adjust.cs - an adjustment entry with its own right: the account, which way, how much, why; then a confirmation. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.adjust) ?>
<p class="note"><?cs var:Lang.page.adjust_help ?></p>
<table class="counts account">
<tr><th><?cs var:Lang.col.holder ?></th><td class="holder"><a href="/account?id=<?cs var:Account.id ?>"><?cs var:Account.holder ?></a> <?cs var:Account.holder_no ?></td></tr>
<tr><th><?cs var:Lang.col.room ?></th><td><?cs var:Account.building ?> <?cs var:Account.room ?></td></tr>
<tr><th><?cs var:Lang.page.money ?></th><td class="money" id="account-money"><?cs var:Account.money ?></td></tr>
</table>
<table class="list meters"><thead><tr><th><?cs var:Lang.col.meter_number ?></th><th><?cs var:Lang.page.remaining ?></th><th><?cs var:Lang.page.read_at ?></th><th></th></tr></thead>
<tbody><?cs each:m = Meters ?><tr><td><?cs var:m.number ?></td><td class="money"><?cs var:m.remaining ?></td><td><?cs var:m.read_at ?><?cs if:m.age < 0 || m.age > 600 ?> <span class="warn stale"><?cs var:Lang.page.stale ?></span><?cs /if ?></td>
<td><?cs if:m.reading > 0 ?><?cs var:Lang.page.reading ?> <a href="/adjust?account=<?cs var:Account.id ?>"><?cs var:Lang.btn.refresh ?></a><?cs else ?><form method="post" action="/meter/read" class="inline"><?cs call:csrf() ?><input type="hidden" name="meter" value="<?cs var:m.id ?>"><input type="hidden" name="back" value="/adjust?account=<?cs var:Account.id ?>"><button type="submit"><?cs var:Lang.btn.read_now ?></button></form><?cs /if ?></td></tr><?cs /each ?></tbody></table>
<?cs if:Confirm.show ?>
<table class="counts confirm">
<tr><th><?cs var:Lang.col.meter_number ?></th><td><?cs each:m = Meters ?><?cs if:m.id == Form.meter ?><?cs var:m.number ?><?cs /if ?><?cs /each ?></td></tr>
<tr><th><?cs var:Lang.page.direction ?></th><td id="confirm-direction"><?cs var:Lang.page["adjust_" + Form.direction] ?></td></tr>
<tr><th><?cs var:Lang.col.amount ?></th><td class="amount" id="confirm-amount"><?cs var:Confirm.amount ?> 元 (<?cs var:Confirm.capital ?>)</td></tr>
<tr><th><?cs var:Lang.page.reason ?></th><td><?cs var:Form.reason ?></td></tr>
</table>
<form method="post" action="/adjust" class="form">
<?cs call:csrf() ?>
<input type="hidden" name="account" value="<?cs var:Form.account ?>">
<input type="hidden" name="meter" value="<?cs var:Form.meter ?>">
<input type="hidden" name="direction" value="<?cs var:Form.direction ?>">
<input type="hidden" name="amount" value="<?cs var:Form.amount ?>">
<input type="hidden" name="reason" value="<?cs var:Form.reason ?>">
<input type="hidden" name="idem" value="<?cs var:Form.idem ?>">
<input type="hidden" name="confirm" value="1">
<button type="submit" id="confirm-adjust"><?cs var:Lang.btn.confirm_adjust ?></button> <a href="/adjust?account=<?cs var:url_escape(Form.account) ?>"><?cs var:Lang.btn.cancel ?></a>
</form>
<?cs else ?>
<form method="post" action="/adjust" class="form">
<?cs call:csrf() ?>
<input type="hidden" name="account" value="<?cs var:Account.id ?>">
<input type="hidden" name="idem" value="<?cs var:Form.idem ?>">
<label for="f-meter"><?cs var:Lang.col.meter_number ?></label>
<select id="f-meter" name="meter"><?cs each:m = Meters ?><option value="<?cs var:m.id ?>"<?cs if:Form.meter == m.id ?> selected<?cs /if ?>><?cs var:m.number ?> (<?cs var:Lang.page.remaining ?> <?cs var:m.remaining ?>)</option><?cs /each ?></select>
<?cs call:err("meter") ?>
<label for="f-direction"><?cs var:Lang.page.direction ?></label>
<select id="f-direction" name="direction"><option value=""></option><option value="credit"<?cs if:Form.direction == "credit" ?> selected<?cs /if ?>><?cs var:Lang.page.adjust_credit ?></option><option value="debit"<?cs if:Form.direction == "debit" ?> selected<?cs /if ?>><?cs var:Lang.page.adjust_debit ?></option></select>
<?cs call:err("direction") ?>
<?cs call:text("amount", Lang.page.amount_yuan, "text") ?>
<?cs call:text("reason", Lang.page.reason, "text") ?>
<button type="submit"><?cs var:Lang.btn.next_step ?></button>
</form>
<?cs /if ?>
<?cs call:foot() ?>
