<?cs # sell.cs - F17 sell: find the account, see its meters and money, enter the amount. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page[Mode.name]) ?>
<form method="get" action="/<?cs var:Mode.name ?>" class="filters">
<input name="q" value="<?cs var:Filter.q ?>" placeholder="<?cs var:Lang.page.sell_search ?>" autofocus>
<button type="submit"><?cs var:Lang.btn.search ?></button>
</form>
<?cs if:Found.0.id && !Account.id ?>
<table class="list found"><thead><tr><th><?cs var:Lang.col.holder ?></th><th><?cs var:Lang.col.holder_no ?></th><th><?cs var:Lang.col.room ?></th><th></th></tr></thead>
<tbody><?cs each:a = Found ?><tr><td><?cs var:a.holder ?></td><td><?cs var:a.holder_no ?></td><td><?cs var:a.building ?> <?cs var:a.room ?></td><td><a href="/<?cs var:Mode.name ?>?account=<?cs var:a.id ?>"><?cs var:Lang.nav[Mode.name] ?></a></td></tr><?cs /each ?></tbody></table>
<?cs elif:Filter.q && !Account.id ?><p class="warn"><?cs var:Lang.page.none ?></p>
<?cs /if ?>
<?cs if:Account.id ?>
<table class="counts account">
<tr><th><?cs var:Lang.col.holder ?></th><td class="holder"><?cs var:Account.holder ?> <?cs var:Account.holder_no ?></td></tr>
<tr><th><?cs var:Lang.col.room ?></th><td><?cs var:Account.building ?> <?cs var:Account.room ?></td></tr>
<tr><th><?cs var:Lang.page.money ?></th><td class="money" id="account-money"><?cs var:Account.money ?></td></tr>
<tr><th><?cs var:Lang.page.hoard_cap_fen ?></th><td><?cs var:Account.cap ?></td></tr>
</table>
<?cs if:Pending.0.id ?><p class="warn"><?cs var:Lang.page.pending_note ?></p>
<table class="list pending"><tbody><?cs each:c = Pending ?><tr><td><?cs var:c.meter ?></td><td><?cs var:Lang.cmdkind[c.kind] ?></td><td><?cs var:c.amount ?></td><td class="st-<?cs var:c.status ?>"><?cs var:Lang.cmd[c.status] ?></td><td class="cmd-error" title="<?cs var:c.error ?>"><?cs var:c.error_text ?></td></tr><?cs /each ?></tbody></table><?cs /if ?>
<?cs if:Mode.name == "refund" ?>
<table class="list meters"><thead><tr><th><?cs var:Lang.col.meter_number ?></th><th><?cs var:Lang.page.remaining ?></th><th><?cs var:Lang.page.read_at ?></th><th></th></tr></thead>
<tbody><?cs each:m = Meters ?><tr><td><?cs var:m.number ?></td><td class="money"><?cs var:m.remaining ?></td><td><?cs var:m.read_at ?><?cs if:m.age < 0 || m.age > 600 ?> <span class="warn stale"><?cs var:Lang.page.stale ?></span><?cs /if ?></td>
<td><?cs if:m.reading > 0 ?><?cs var:Lang.page.reading ?> <a href="/refund?account=<?cs var:Account.id ?>"><?cs var:Lang.btn.refresh ?></a><?cs else ?><form method="post" action="/meter/read" class="inline"><?cs call:csrf() ?><input type="hidden" name="meter" value="<?cs var:m.id ?>"><input type="hidden" name="back" value="/refund?account=<?cs var:Account.id ?>"><button type="submit"><?cs var:Lang.btn.read_now ?></button></form><?cs /if ?></td></tr><?cs /each ?></tbody></table>
<?cs /if ?>
<form method="post" action="/<?cs var:Mode.name ?>" class="form">
<?cs call:csrf() ?>
<input type="hidden" name="account" value="<?cs var:Account.id ?>">
<input type="hidden" name="idem" value="<?cs var:Form.idem ?>">
<label for="f-meter"><?cs var:Lang.col.meter_number ?></label>
<select id="f-meter" name="meter"><?cs each:m = Meters ?><option value="<?cs var:m.id ?>"<?cs if:Form.meter == m.id ?> selected<?cs /if ?>><?cs var:m.number ?> (<?cs var:Lang.page.remaining ?> <?cs var:m.remaining ?> <?cs var:m.read_at ?>)</option><?cs /each ?></select>
<?cs call:err("meter") ?>
<?cs call:text("amount", Lang.page.amount_yuan, "text") ?>
<button type="submit"><?cs var:Lang.btn.next_step ?></button>
</form>
<?cs /if ?>
<?cs call:foot() ?>
