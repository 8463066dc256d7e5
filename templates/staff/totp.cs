<?cs # totp.cs - 动态口令: turn TOTP on (the new secret, its otpauth URI, a current code) or off (the password and a current code). ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.Totp.title) ?>
<?cs if:Query.ok == "on" ?><p class="ok" role="status"><?cs var:Lang.Totp.ok_on ?></p><?cs elif:Query.ok == "off" ?><p class="ok" role="status"><?cs var:Lang.Totp.ok_off ?></p><?cs /if ?>
<?cs if:Totp.due ?><p class="warn" id="totp-due"><?cs var:Lang.Totp.due ?></p><?cs /if ?>
<?cs if:Form.err.form ?><p class="err form-err" role="alert"><?cs var:Form.err.form ?></p><?cs /if ?>
<?cs if:Totp.on ?>
<p id="totp-state"><?cs var:Lang.Totp.is_on ?></p>
<?cs if:Totp.required ?><p class="note"><?cs var:Lang.Totp.required_note ?></p><?cs else ?>
<h2><?cs var:Lang.Totp.off_title ?></h2>
<form method="post" action="/totp" class="form narrow">
<?cs call:csrf() ?>
<?cs call:pw("password", Lang.col.password, "current-password") ?>
<?cs call:otp(Lang.Totp.code, 0) ?>
<button type="submit"><?cs var:Lang.Totp.turn_off ?></button>
</form>
<?cs /if ?>
<?cs else ?>
<p id="totp-state"><?cs var:Lang.Totp.is_off ?></p>
<ol class="steps">
<li><?cs var:Lang.Totp.step_app ?></li>
<li><?cs var:Lang.Totp.step_secret ?>
<p><?cs var:Lang.Totp.secret ?>: <strong class="secret" id="totp-secret"><?cs var:Form.secret ?></strong></p>
<p><?cs var:Lang.Totp.uri ?>: <code id="totp-uri"><?cs var:Totp.uri ?></code></p></li>
<li><?cs var:Lang.Totp.step_code ?></li>
</ol>
<form method="post" action="/totp" class="form narrow">
<?cs call:csrf() ?>
<input type="hidden" name="secret" value="<?cs var:Form.secret ?>">
<?cs call:otp(Lang.Totp.code, 0) ?>
<button type="submit"><?cs var:Lang.Totp.turn_on ?></button>
</form>
<?cs /if ?>
<?cs call:foot() ?>
