<?cs # login.cs - F1 the sign-in form (also used to switch operator). ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.login) ?>
<?cs if:Page.expired ?><p class="warn"><?cs var:Lang.page.expired ?></p><?cs /if ?>
<?cs if:Query.ok ?><p class="ok"><?cs var:Lang.ok[Query.ok] ?></p><?cs /if ?>
<?cs if:Form.switch ?><p class="note"><?cs var:Lang.page.switch_note ?></p><?cs /if ?>
<form method="post" action="/login" class="form narrow">
<input type="hidden" name="csrf" value="<?cs var:Form.csrf ?>">
<?cs if:Form.err.form ?><p class="err form-err" role="alert"><?cs var:Form.err.form ?><?cs if:Form.minutes ?>（<?cs var:Form.minutes ?> <?cs var:Lang.page.retry_minutes ?>）<?cs /if ?></p><?cs /if ?>
<?cs call:text("login", Lang.col.login, "text") ?>
<label for="f-password"><?cs var:Lang.col.password ?></label>
<input id="f-password" name="password" type="password" autocomplete="current-password">
<?cs call:err("password") ?>
<div class="showpw" hidden><label class="check"><input type="checkbox" id="f-showpw"> <?cs var:Lang.page.show_password ?></label></div>
<button type="submit"><?cs var:Lang.btn.login ?></button>
</form>
<script src="/static/showpw.js" defer></script>
<?cs call:foot() ?>
