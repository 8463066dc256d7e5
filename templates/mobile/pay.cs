<?cs # pay.cs - M3 online top-up: an amount to tap or one's own, the meter, the channel, then on to pay. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.pay.title) ?>
<?cs if:!Pay.open ?><p class="warn" id="pay-closed"><?cs var:Lang.pay.closed ?></p><?cs /if ?>
<form method="post" action="/m/pay" class="form" id="pay-form">
<input type="hidden" name="csrf" value="<?cs var:Me.csrf ?>">
<p class="label"><?cs var:Lang.pay.amount ?></p>
<?cs each:t = Taps ?>
<label class="check"><input type="radio" name="amount" value="<?cs var:t ?>"<?cs if:Form.amount == t ?> checked<?cs /if ?>> ¥<?cs var:t ?></label>
<?cs /each ?>
<?cs call:err("amount") ?>
<label for="f-custom"><?cs var:Lang.pay.custom ?></label>
<input id="f-custom" name="custom" type="text" inputmode="decimal" maxlength="12" value="<?cs var:Form.custom ?>"<?cs if:Form.err.custom ?> class="bad" aria-invalid="true"<?cs /if ?>>
<?cs call:err("custom") ?>
<p class="note"><?cs var:Lang.pay.limits ?> ¥<?cs var:Pay.max ?><?cs if:Pay.room ?>; <?cs var:Lang.pay.room ?> ¥<?cs var:Pay.room ?><?cs /if ?></p>
<?cs if:subcount(Meters) > 1 ?>
<label for="f-meter"><?cs var:Lang.col.meter ?></label>
<select id="f-meter" name="meter"><?cs each:m = Meters ?><option value="<?cs var:m.id ?>"<?cs if:Form.meter == m.id ?> selected<?cs /if ?>><?cs var:m.number ?></option><?cs /each ?></select>
<?cs /if ?>
<?cs call:err("meter") ?>
<p class="label"><?cs var:Lang.pay.channel ?></p>
<label class="check"><input type="radio" name="channel" value="alipay" id="ch-alipay"<?cs if:Form.channel == "alipay" && Pay.alipay ?> checked<?cs /if ?><?cs if:!Pay.alipay ?> disabled<?cs /if ?>> <?cs var:Lang.pay.alipay ?><?cs if:!Pay.alipay ?> <?cs var:Lang.pay.soon ?><?cs /if ?></label>
<label class="check"><input type="radio" name="channel" value="wechat" id="ch-wechat"<?cs if:Form.channel == "wechat" && Pay.wechat ?> checked<?cs /if ?><?cs if:!Pay.wechat ?> disabled<?cs /if ?>> <?cs var:Lang.pay.wechat ?><?cs if:!Pay.wechat ?> <?cs var:Lang.pay.soon ?><?cs /if ?></label>
<?cs call:err("channel") ?>
<?cs include:"reauth.cs" ?>
<?cs call:err("form") ?>
<button type="submit" class="btn primary"<?cs if:!Pay.open ?> disabled<?cs /if ?>><?cs var:Lang.pay.next ?></button>
</form>
<p><a href="/m/"><?cs var:Lang.btn.back ?></a></p>
<?cs call:foot() ?>
