<?cs # error.cs - an error page of the student site: status and message. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.error) ?>
<p class="error-page"><?cs var:Error.message ?></p>
<?cs if:Error.status == 403 && !Me.signed ?><p><a class="btn" href="/m/login"><?cs var:Lang.btn.login ?></a></p><?cs /if ?>
<p><a class="btn" href="/m/"><?cs var:Lang.btn.back ?></a></p>
<?cs call:foot() ?>
