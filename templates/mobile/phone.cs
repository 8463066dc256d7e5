<?cs # phone.cs - M4 the phone for SMS: the current one masked, a new one, and the code sent to the new one. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.phone.title) ?>
<?cs if:Query.ok == "phone_changed" ?><p class="ok" id="phone-ok"><?cs var:Lang.phone.changed ?></p><?cs /if ?>
<p class="card"><span class="label"><?cs var:Lang.phone.current ?></span><br><span id="current-phone"><?cs if:Page.phone ?><?cs var:Page.phone ?><?cs else ?><?cs var:Lang.phone.none ?><?cs /if ?></span></p>
<form method="post" action="/m/phone" class="form">
<input type="hidden" name="csrf" value="<?cs var:Me.csrf ?>">
<?cs if:Form.step == "check" ?>
<?cs if:Form.sent == "1" ?><p class="warn" id="code-note"><?cs var:Lang.code.wait_minute ?></p>
<?cs elif:Form.sent == "2" ?><p class="warn" id="code-note"><?cs var:Lang.code.wait_hour ?></p>
<?cs elif:Form.sent == "0" ?><p class="ok" id="code-note"><?cs var:Lang.phone.sent ?> <?cs var:Form.masked ?></p><?cs /if ?>
<input type="hidden" name="step" value="check">
<input type="hidden" name="phone" value="<?cs var:Form.phone ?>">
<p class="label"><?cs var:Lang.phone.new ?>：<?cs var:Form.masked ?></p>
<?cs call:err("phone") ?>
<label for="f-code"><?cs var:Lang.code.code ?></label>
<input id="f-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="6"<?cs if:Form.err.code ?> class="bad" aria-invalid="true"<?cs /if ?>>
<?cs call:err("code") ?>
<?cs include:"reauth.cs" ?>
<button type="submit" class="btn primary"><?cs var:Lang.phone.confirm ?></button>
<p class="note"><?cs var:Lang.code.valid_note ?> <a href="/m/phone"><?cs var:Lang.code.again ?></a></p>
<?cs else ?>
<input type="hidden" name="step" value="send">
<label for="f-phone"><?cs var:Lang.phone.new ?></label>
<input id="f-phone" name="phone" type="text" inputmode="tel" autocomplete="tel" maxlength="20" value="<?cs var:Form.phone ?>"<?cs if:Form.err.phone ?> class="bad" aria-invalid="true"<?cs /if ?>>
<?cs call:err("phone") ?>
<?cs include:"reauth.cs" ?>
<button type="submit" class="btn primary"><?cs var:Lang.code.send ?></button>
<p class="note"><?cs var:Lang.phone.note ?></p>
<?cs /if ?>
</form>
<p><a href="/m/" class="btn"><?cs var:Lang.btn.back ?></a></p>
<?cs call:foot() ?>
