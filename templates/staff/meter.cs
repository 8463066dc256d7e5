<?cs # meter.cs - F8 create or edit one meter. ?>
<?cs include:"layout.cs" ?>
<?cs if:Form.id ?><?cs call:head(Lang.page.meter_edit) ?><?cs else ?><?cs call:head(Lang.page.meter_new) ?><?cs /if ?>
<form method="post" action="/meter<?cs if:Form.id ?>?id=<?cs var:Form.id ?><?cs /if ?>" class="form">
<?cs call:csrf() ?>
<?cs call:text("number", Lang.col.meter_number, "text") ?>
<label for="f-profile"><?cs var:Lang.col.profile ?></label>
<select id="f-profile" name="profile">
<option value="ddsy1352nk"<?cs if:Form.profile == "ddsy1352nk" ?> selected<?cs /if ?>><?cs var:Lang.profile.ddsy1352nk ?></option>
<option value="energy"<?cs if:Form.profile == "energy" ?> selected<?cs /if ?>><?cs var:Lang.profile.energy ?></option></select>
<?cs call:err("profile") ?>
<label for="f-bus_id"><?cs var:Lang.col.bus ?></label>
<select id="f-bus_id" name="bus_id"><option value=""></option>
<?cs each:o = Buses ?><option value="<?cs var:o.id ?>"<?cs if:Form.bus_id == o.id ?> selected<?cs /if ?>><?cs var:o.gateway ?> <?cs var:Lang.col.port ?><?cs var:o.port ?> (<?cs var:o.address ?>)</option><?cs /each ?></select>
<?cs call:err("bus_id") ?>
<?cs call:text("address", Lang.col.address, "number") ?>
<label for="f-building_id"><?cs var:Lang.col.building ?></label>
<select id="f-building_id" name="building_id"><option value=""></option>
<?cs each:o = Buildings ?><option value="<?cs var:o.id ?>"<?cs if:Form.building_id == o.id ?> selected<?cs /if ?>><?cs var:o.name ?></option><?cs /each ?></select>
<?cs call:err("building_id") ?>
<?cs call:text("room", Lang.col.room, "text") ?>
<?cs call:text("note", Lang.col.note, "text") ?>
<button type="submit"><?cs var:Lang.btn.save ?></button> <a href="/meters"><?cs var:Lang.btn.cancel ?></a>
</form>
<?cs call:foot() ?>
