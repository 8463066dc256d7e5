<?cs # login.cs - M1 the student's sign-in: building, room number, password, remember me. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.login) ?>
<?cs if:Page.expired ?><p class="warn"><?cs var:Lang.page.expired ?></p><?cs /if ?>
<?cs if:Query.ok ?><p class="ok"><?cs var:Lang.ok[Query.ok] ?></p><?cs /if ?>
<form method="post" action="/m/login" class="form">
<input type="hidden" name="csrf" value="<?cs var:Form.csrf ?>">
<?cs if:Form.err.form ?><p class="err form-err" role="alert"><?cs var:Form.err.form ?><?cs if:Form.minutes ?>（<?cs var:Form.minutes ?> <?cs var:Lang.page.retry_minutes ?>）<?cs /if ?></p><?cs /if ?>
<label for="f-building"><?cs var:Lang.col.building ?></label>
<select id="f-building" name="building"<?cs if:Form.err.building ?> class="bad" aria-invalid="true"<?cs /if ?>>
<option value=""><?cs var:Lang.page.choose ?></option>
<?cs each:b = Buildings ?><option value="<?cs var:b.id ?>"<?cs if:Form.building == b.id ?> selected<?cs /if ?>><?cs var:b.name ?></option><?cs /each ?>
</select>
<?cs call:err("building") ?>
<label for="f-room"><?cs var:Lang.col.room ?></label>
<input id="f-room" name="room" type="text" inputmode="numeric" maxlength="16" value="<?cs var:Form.room ?>"<?cs if:Form.err.room ?> class="bad" aria-invalid="true"<?cs /if ?>>
<?cs call:err("room") ?>
<?cs call:pw("password", Lang.col.password, "current-password") ?>
<div class="showpw" hidden><label class="check"><input type="checkbox" id="f-showpw"> <?cs var:Lang.page.show_password ?></label></div>
<label class="check"><input type="checkbox" name="remember" value="1"<?cs if:Form.remember == "1" ?> checked<?cs /if ?>> <?cs var:Lang.page.remember ?></label>
<button type="submit" class="btn primary"><?cs var:Lang.btn.login ?></button>
<p class="note"><?cs var:Lang.page.login_note ?></p>
</form>
<script src="/static/showpw.js" defer></script>
<p><a href="/m/code" id="by-code"><?cs var:Lang.code.by_code ?></a></p>
<p><a href="/m/privacy" id="privacy-link"><?cs var:Lang.privacy.link ?></a></p>
<?cs call:foot() ?>
