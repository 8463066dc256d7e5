<?cs # room.cs - F9 create or edit a room. ?>
<?cs include:"layout.cs" ?>
<?cs if:Form.id ?><?cs call:head(Lang.page.room_edit) ?><?cs else ?><?cs call:head(Lang.page.room_new) ?><?cs /if ?>
<form method="post" action="/room<?cs if:Form.id ?>?id=<?cs var:Form.id ?><?cs /if ?>" class="form">
<?cs call:csrf() ?>
<label for="f-building_id"><?cs var:Lang.col.building ?></label>
<select id="f-building_id" name="building_id"><option value=""></option>
<?cs each:o = Buildings ?><option value="<?cs var:o.id ?>"<?cs if:Form.building_id == o.id ?> selected<?cs /if ?>><?cs var:o.name ?></option><?cs /each ?></select>
<?cs call:err("building_id") ?>
<?cs call:text("floor", Lang.col.floor, "number") ?>
<?cs call:text("number", Lang.col.room, "text") ?>
<?cs call:text("note", Lang.col.note, "text") ?>
<button type="submit"><?cs var:Lang.btn.save ?></button> <a href="/rooms"><?cs var:Lang.btn.cancel ?></a>
</form>
<?cs call:foot() ?>
