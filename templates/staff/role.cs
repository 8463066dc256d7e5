<?cs # role.cs - F3 a role: its name and the rights it holds. ?>
<?cs include:"layout.cs" ?>
<?cs if:Form.id ?><?cs call:head(Lang.page.role_edit) ?><?cs else ?><?cs call:head(Lang.page.role_new) ?><?cs /if ?>
<form method="post" action="/role<?cs if:Form.id ?>?id=<?cs var:Form.id ?><?cs /if ?>" class="form">
<?cs call:csrf() ?>
<?cs call:text("name", Lang.col.name, "text") ?>
<?cs call:text("note", Lang.col.note, "text") ?>
<fieldset class="rights"><legend><?cs var:Lang.col.rights ?></legend>
<?cs each:o = Rights ?><label class="check"><input type="checkbox" name="right" value="<?cs var:o.code ?>"<?cs if:o.on == 1 ?> checked<?cs /if ?>> <?cs var:o.code ?> <?cs var:o.name ?></label><?cs /each ?>
</fieldset>
<?cs call:err("right") ?>
<button type="submit"><?cs var:Lang.btn.save ?></button> <a href="/roles"><?cs var:Lang.btn.cancel ?></a>
</form>
<?cs call:foot() ?>
