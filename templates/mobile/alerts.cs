<?cs # alerts.cs - M4 alert settings: the balance alarm SMS to receive, a quiet period at night, and the way to the phone number. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.alerts.title) ?>
<?cs if:Query.ok == "saved" ?><p class="ok" id="saved"><?cs var:Lang.alerts.saved ?></p><?cs /if ?>
<form method="post" action="/m/alerts" class="form">
<input type="hidden" name="csrf" value="<?cs var:Me.csrf ?>">
<fieldset>
<legend><?cs var:Lang.alerts.levels ?></legend>
<label class="check"><input type="checkbox" id="f-alarm1" name="alarm1" value="1"<?cs if:Form.alarm1 == "1" ?> checked<?cs /if ?>> <?cs var:Lang.alerts.alarm1 ?></label>
<label class="check"><input type="checkbox" id="f-alarm2" name="alarm2" value="1"<?cs if:Form.alarm2 == "1" ?> checked<?cs /if ?>> <?cs var:Lang.alerts.alarm2 ?></label>
<label class="check"><input type="checkbox" id="f-arrears" name="arrears" value="1"<?cs if:Form.arrears == "1" ?> checked<?cs /if ?>> <?cs var:Lang.alerts.arrears ?></label>
<p class="note"><?cs var:Lang.alerts.levels_note ?></p>
</fieldset>
<fieldset>
<legend><?cs var:Lang.alerts.quiet ?></legend>
<label for="f-quiet_from"><?cs var:Lang.alerts.quiet_from ?></label>
<input id="f-quiet_from" name="quiet_from" type="time" maxlength="5" value="<?cs var:Form.quiet_from ?>"<?cs if:Form.err.quiet_from ?> class="bad" aria-invalid="true"<?cs /if ?>>
<?cs call:err("quiet_from") ?>
<label for="f-quiet_to"><?cs var:Lang.alerts.quiet_to ?></label>
<input id="f-quiet_to" name="quiet_to" type="time" maxlength="5" value="<?cs var:Form.quiet_to ?>"<?cs if:Form.err.quiet_to ?> class="bad" aria-invalid="true"<?cs /if ?>>
<?cs call:err("quiet_to") ?>
<p class="note"><?cs var:Lang.alerts.quiet_note ?></p>
</fieldset>
<button type="submit" class="btn primary"><?cs var:Lang.btn.save ?></button>
</form>
<p><a href="/m/phone" id="phone-link"><?cs var:Lang.alerts.phone_link ?></a></p>
<p><a href="/m/"><?cs var:Lang.btn.back ?></a></p>
<?cs call:foot() ?>
