<?cs # password.cs - F5 change own password (forced at the first sign-in). ?>
<?cs include:"layout.cs" ?>
<?cs if:Form.first ?><?cs call:head(Lang.page.first_password) ?><?cs else ?><?cs call:head(Lang.page.password) ?><?cs /if ?>
<form method="post" action="/password<?cs if:Form.first ?>?first=1<?cs /if ?>" class="form narrow">
<?cs call:csrf() ?>
<label for="f-old"><?cs var:Lang.page.old ?></label>
<input id="f-old" name="old" type="password" autocomplete="current-password"><?cs call:err("old") ?>
<label for="f-new"><?cs var:Lang.page.new ?></label>
<input id="f-new" name="new" type="password" autocomplete="new-password"><?cs call:err("new") ?>
<small><?cs var:Lang.page.pw_rules ?></small>
<label for="f-confirm"><?cs var:Lang.page.confirm ?></label>
<input id="f-confirm" name="confirm" type="password" autocomplete="new-password"><?cs call:err("confirm") ?>
<button type="submit"><?cs var:Lang.btn.save ?></button>
</form>
<?cs call:foot() ?>
