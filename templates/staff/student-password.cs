<?cs # student-password.cs - M1 the student site's first (or reset) password of an account: confirm, then shown once. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.student.title) ?>
<p><?cs var:Lang.student.account ?>: <strong><?cs var:Account.building ?> <?cs var:Account.room ?></strong> · <?cs var:Account.holder ?></p>
<?cs if:Done.password ?>
<p><?cs var:Lang.student.password ?>: <strong class="password" id="new-password"><?cs var:Done.password ?></strong></p>
<p class="note"><?cs var:Lang.student.once ?></p>
<p class="note" id="first-days"><?cs var:Lang.page.first_pw_days ?></p>
<?cs else ?>
<p class="note"><?cs if:Account.has_password == "1" ?><?cs var:Lang.student.confirm_reset ?><?cs else ?><?cs var:Lang.student.confirm_set ?><?cs /if ?></p>
<form method="post" action="/account/student-password?account=<?cs var:Account.id ?>" class="form narrow">
<input type="hidden" name="csrf" value="<?cs var:Op.csrf ?>">
<button type="submit" name="confirm" value="1"><?cs if:Account.has_password == "1" ?><?cs var:Lang.student.btn_reset ?><?cs else ?><?cs var:Lang.student.btn_set ?><?cs /if ?></button>
</form>
<?cs /if ?>
<p><a href="/account?id=<?cs var:Account.id ?>"><?cs var:Lang.btn.cancel ?></a></p>
<?cs call:foot() ?>
