<?cs # password.cs - F5 change own password (forced at the first sign-in). ?>
<?cs include:"layout.cs" ?>
<?cs if:Form.first ?><?cs call:head(Lang.page.first_password) ?><?cs else ?><?cs call:head(Lang.page.password) ?><?cs /if ?>
<form method="post" action="/password<?cs if:Form.first ?>?first=1<?cs /if ?>" class="form narrow">
<?cs call:csrf() ?>
<?cs call:pw("old", Lang.page.old, "current-password") ?>
<?cs call:pw("new", Lang.page.new, "new-password") ?>
<small id="pw-rules"><?cs var:Lang.page.pw_rules ?></small>
<?cs call:pw("confirm", Lang.page.confirm, "new-password") ?>
<div class="showpw" hidden><label class="check"><input type="checkbox" id="f-showpw"> <?cs var:Lang.page.show_password ?></label></div>
<button type="submit"><?cs var:Lang.btn.save ?></button>
</form>
<script src="/static/showpw.js" defer></script>
<?cs call:foot() ?>
