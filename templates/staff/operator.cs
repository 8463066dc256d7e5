<?cs # operator.cs - F2 create or edit an operator. ?>
<?cs include:"layout.cs" ?>
<?cs if:Form.id ?><?cs call:head(Lang.page.operator_edit) ?><?cs else ?><?cs call:head(Lang.page.operator_new) ?><?cs /if ?>
<form method="post" action="/operator<?cs if:Form.id ?>?id=<?cs var:Form.id ?><?cs /if ?>" class="form">
<?cs call:csrf() ?>
<?cs if:Form.id ?><label><?cs var:Lang.col.login ?></label><span class="login"><?cs var:Form.login ?></span>
<?cs else ?><?cs call:text("login", Lang.col.login, "text") ?><?cs /if ?>
<?cs call:text("name", Lang.col.name, "text") ?>
<?cs call:text("phone", Lang.col.phone, "tel") ?>
<label for="f-role_id"><?cs var:Lang.col.role ?></label>
<select id="f-role_id" name="role_id"><option value=""></option>
<?cs each:o = Roles ?><option value="<?cs var:o.id ?>"<?cs if:Form.role_id == o.id ?> selected<?cs /if ?>><?cs var:o.name ?></option><?cs /each ?></select>
<?cs call:err("role_id") ?>
<button type="submit"><?cs var:Lang.btn.save ?></button> <a href="/operators"><?cs var:Lang.btn.cancel ?></a>
</form>
<?cs call:foot() ?>
