<?cs # account-open.cs - F11 open an account: holder, room, meters, an optional first purchase. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.account_open) ?>
<form method="post" action="/account/open" class="form" data-confirm="<?cs var:Lang.confirm.open ?>">
<?cs call:csrf() ?>
<input type="hidden" name="idem" value="<?cs var:Form.idem ?>">
<?cs call:text("holder", Lang.col.holder, "text") ?>
<?cs call:text("holder_no", Lang.col.holder_no, "text") ?>
<?cs call:text("phone", Lang.col.phone, "tel") ?>
<label for="f-building_id"><?cs var:Lang.col.building ?></label>
<select id="f-building_id" name="building_id"><option value=""></option>
<?cs each:o = Buildings ?><option value="<?cs var:o.id ?>"<?cs if:Form.building_id == o.id ?> selected<?cs /if ?>><?cs var:o.name ?></option><?cs /each ?></select>
<?cs call:err("building_id") ?>
<?cs call:text("room", Lang.col.room, "text") ?>
<?cs call:text("meters", Lang.col.meters, "text") ?>
<small><?cs var:Lang.page.meters_help ?></small>
<?cs call:text("first", Lang.page.first_purchase, "text") ?>
<button type="submit"><?cs var:Lang.nav.open ?></button> <a href="/accounts"><?cs var:Lang.btn.cancel ?></a>
</form>
<?cs call:foot() ?>
