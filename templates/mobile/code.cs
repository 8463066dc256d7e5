<?cs # code.cs - M1 sign-in by phone: the phone, then the 6-digit code sent to it by SMS. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.code.title) ?>
<form method="post" action="/m/code" class="form">
<input type="hidden" name="csrf" value="<?cs var:Form.csrf ?>">
<?cs if:Form.err.form ?><p class="err form-err" role="alert"><?cs var:Form.err.form ?></p><?cs /if ?>
<?cs if:Form.step == "check" ?>
<?cs if:Form.sent == "1" ?><p class="warn" id="code-note"><?cs var:Lang.code.wait_minute ?></p>
<?cs elif:Form.sent == "2" ?><p class="warn" id="code-note"><?cs var:Lang.code.wait_hour ?></p>
<?cs elif:Form.sent == "0" ?><p class="ok" id="code-note"><?cs var:Lang.code.sent ?></p><?cs /if ?>
<input type="hidden" name="step" value="check">
<input type="hidden" name="phone" value="<?cs var:Form.phone ?>">
<p class="label"><?cs var:Lang.code.phone ?>：<?cs var:Form.phone ?></p>
<?cs call:err("phone") ?>
<label for="f-code"><?cs var:Lang.code.code ?></label>
<input id="f-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="6"<?cs if:Form.err.code ?> class="bad" aria-invalid="true"<?cs /if ?>>
<?cs call:err("code") ?><?cs if:Form.minutes ?><span class="err"><?cs var:Form.minutes ?> <?cs var:Lang.page.retry_minutes ?></span><?cs /if ?>
<label class="check"><input type="checkbox" name="remember" value="1"<?cs if:Form.remember == "1" ?> checked<?cs /if ?>> <?cs var:Lang.page.remember ?></label>
<button type="submit" class="btn primary"><?cs var:Lang.btn.login ?></button>
<p class="note"><?cs var:Lang.code.valid_note ?> <a href="/m/code"><?cs var:Lang.code.again ?></a></p>
<?cs else ?>
<input type="hidden" name="step" value="send">
<label for="f-phone"><?cs var:Lang.code.phone ?></label>
<input id="f-phone" name="phone" type="text" inputmode="tel" autocomplete="tel" maxlength="20" value="<?cs var:Form.phone ?>"<?cs if:Form.err.phone ?> class="bad" aria-invalid="true"<?cs /if ?>>
<?cs call:err("phone") ?>
<button type="submit" class="btn primary"><?cs var:Lang.code.send ?></button>
<p class="note"><?cs var:Lang.code.send_note ?></p>
<?cs /if ?>
</form>
<p><a href="/m/login"><?cs var:Lang.code.by_password ?></a></p>
<?cs call:foot() ?>
