<?cs # operator-password.cs - the new operator's (or reset) password, shown once. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.operator_password) ?>
<p><?cs var:Lang.col.login ?>: <strong class="login"><?cs var:Done.login ?></strong></p>
<p><?cs var:Lang.col.password ?>: <strong class="password" id="new-password"><?cs var:Done.password ?></strong></p>
<p class="note"><?cs var:Lang.page.password_once ?></p>
<p class="note" id="first-days"><?cs var:Lang.page.first_pw_days ?></p>
<p><a href="/operators"><?cs var:Lang.btn.cancel ?></a></p>
<?cs call:foot() ?>
