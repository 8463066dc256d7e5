<?cs # login-code.cs - F1 the second step of signing in: the TOTP code after the password. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.Totp.login_title) ?>
<p class="note"><?cs var:Lang.Totp.login_note ?></p>
<form method="post" action="/login/code" class="form narrow">
<input type="hidden" name="csrf" value="<?cs var:Form.csrf ?>">
<?cs if:Form.err.form ?><p class="err form-err" role="alert"><?cs var:Form.err.form ?></p><?cs /if ?>
<?cs call:otp(Lang.Totp.code, 1) ?>
<button type="submit"><?cs var:Lang.btn.login ?></button>
<a href="/login"><?cs var:Lang.Totp.back ?></a>
</form>
<?cs call:foot() ?>
