<?cs # building.cs - F6 create or edit a building. ?>
<?cs include:"layout.cs" ?>
<?cs if:Form.id ?><?cs call:head(Lang.page.building_edit) ?><?cs else ?><?cs call:head(Lang.page.building_new) ?><?cs /if ?>
<form method="post" action="/building<?cs if:Form.id ?>?id=<?cs var:Form.id ?><?cs /if ?>" class="form">
<?cs call:csrf() ?>
<?cs call:text("name", Lang.col.name, "text") ?>
<?cs call:text("floors", Lang.col.floors, "number") ?>
<?cs call:text("note", Lang.col.note, "text") ?>
<button type="submit"><?cs var:Lang.btn.save ?></button> <a href="/buildings"><?cs var:Lang.btn.cancel ?></a>
</form>
<?cs call:foot() ?>
