<?cs # password.cs - M1 the student's own password (at the first sign-in, a new one must be chosen). ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.password) ?>
<?cs if:Form.by_code ?><p class="note" id="by-code"><?cs var:Lang.page.password_by_code ?></p><?cs elif:Form.first ?><p class="warn"><?cs var:Lang.page.first_password ?></p><?cs /if ?>
<?cs if:Notice.at ?><p class="warn" role="alert" id="pw-notice"><?cs var:Lang.Sessions.notice_pre ?> <?cs var:Notice.at ?> <?cs if:Notice.reset == "1" ?><?cs var:Lang.Sessions.notice_staff ?><?cs else ?><?cs var:Lang.Sessions.notice_self ?><?cs /if ?><?cs var:Lang.Sessions.notice_post ?></p><?cs /if ?>
<form method="post" action="/m/password" class="form">
<input type="hidden" name="csrf" value="<?cs var:Me.csrf ?>">
<?cs if:!Form.by_code ?><?cs call:pw("old", Lang.col.old_password, "current-password") ?><?cs /if ?>
<?cs call:pw("new", Lang.col.new_password, "new-password") ?>
<?cs call:pw("confirm", Lang.col.confirm_password, "new-password") ?>
<?cs include:"reauth.cs" ?>
<div class="showpw" hidden><label class="check"><input type="checkbox" id="f-showpw"> <?cs var:Lang.page.show_password ?></label></div>
<p class="note" id="pw-rules"><?cs var:Lang.page.password_rule ?></p>
<button type="submit" class="btn primary"><?cs var:Lang.btn.save ?></button>
</form>
<script src="/static/showpw.js" defer></script>
<?cs call:foot() ?>
