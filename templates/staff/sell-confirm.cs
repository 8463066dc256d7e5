<?cs # sell-confirm.cs - F17 the confirmation before money moves: who, which meter, how much. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page[Mode.name + "_confirm"]) ?>
<table class="counts confirm">
<tr><th><?cs var:Lang.col.holder ?></th><td><?cs var:Account.holder ?> <?cs var:Account.holder_no ?></td></tr>
<tr><th><?cs var:Lang.col.room ?></th><td><?cs var:Account.building ?> <?cs var:Account.room ?></td></tr>
<tr><th><?cs var:Lang.col.meter_number ?></th><td><?cs each:m = Meters ?><?cs if:m.id == Form.meter ?><?cs var:m.number ?><?cs /if ?><?cs /each ?></td></tr>
<tr><th><?cs var:Lang.col.amount ?></th><td class="amount" id="confirm-amount"><?cs var:Confirm.amount ?> 元 (<?cs var:Confirm.capital ?>)</td></tr>
</table>
<?cs if:Dup.id ?><p class="warn dup" id="dup-warning" role="alert"><?cs var:Lang.page.dup_sale ?>
<a href="/sale?id=<?cs var:Dup.id ?>" target="_blank"><?cs var:Dup.receipt_no ?></a> (<?cs var:Dup.at ?>, <?cs var:Dup.operator ?>)</p><?cs /if ?>
<form method="post" action="/<?cs var:Mode.name ?>" class="form">
<?cs call:csrf() ?>
<input type="hidden" name="account" value="<?cs var:Form.account ?>">
<input type="hidden" name="meter" value="<?cs var:Form.meter ?>">
<input type="hidden" name="amount" value="<?cs var:Form.amount ?>">
<input type="hidden" name="idem" value="<?cs var:Form.idem ?>">
<input type="hidden" name="confirm" value="1">
<input type="hidden" name="dupcheck" value="1">
<?cs if:Dup.id ?><input type="hidden" name="dup_ok" value="1"><?cs /if ?>
<button type="submit" id="confirm-sale"><?cs if:Dup.id ?><?cs var:Lang.btn.confirm_again ?><?cs else ?><?cs var:Lang.btn["confirm_" + Mode.name] ?><?cs /if ?></button> <a href="/<?cs var:Mode.name ?>?account=<?cs var:Form.account ?>"><?cs var:Lang.btn.cancel ?></a>
</form>
<?cs call:foot() ?>
