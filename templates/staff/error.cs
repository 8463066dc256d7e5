<?cs # error.cs - an error page: status, message and, for a 403, the missing right. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.error) ?>
<p class="error-page"><strong><?cs var:Error.status ?></strong> <?cs var:Error.message ?></p>
<?cs if:Error.right ?><p><?cs var:Lang.page.missing_right ?>: <span class="right"><?cs var:Error.right ?> <?cs var:Error.right_name ?></span></p><?cs /if ?>
<?cs if:Error.status == 403 && !Op.login ?><p><a href="/login"><?cs var:Lang.btn.login ?></a></p><?cs /if ?>
<p><a href="/"><?cs var:Lang.btn.cancel ?></a></p>
<?cs call:foot() ?>
