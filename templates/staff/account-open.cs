<?cs # account-open.cs - F11 open an account: holder, room, meters (the money on each and what becomes of it), an optional first purchase. ?>
<?cs include:"layout.cs" ?>
<?cs include:"found.cs" ?>
<?cs call:head(Lang.page.account_open) ?>
<form method="post" action="/account/open" class="form"<?cs if:Confirm.show || !Found.0.id ?> data-confirm="<?cs var:Lang.confirm.open ?>"<?cs /if ?>>
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
<?cs if:Found.0.id ?>
<h2><?cs var:Lang.page.open_money ?></h2>
<p class="note"><?cs var:Lang.page.open_money_help ?></p>
<?cs if:Page.read_asked ?><p class="ok" id="read-asked"><?cs var:Lang.page.read_asked ?></p><?cs /if ?>
<?cs if:Confirm.show ?><p class="warn" id="restate"><?cs var:Lang.page.open_restate ?></p><?cs /if ?>
<?cs call:found_table() ?>
<?cs /if ?>
<?cs call:text("first", Lang.page.first_purchase, "text") ?>
<?cs if:Confirm.show ?><input type="hidden" name="confirm" value="1"><?cs /if ?>
<button type="submit"><?cs if:Confirm.show ?><?cs var:Lang.btn.confirm ?><?cs elif:Found.0.id ?><?cs var:Lang.btn.next_step ?><?cs else ?><?cs var:Lang.nav.open ?><?cs /if ?></button>
<?cs if:Confirm.show ?><button type="submit" name="edit" value="1"><?cs var:Lang.btn.edit ?></button><?cs /if ?>
<a href="/accounts"><?cs var:Lang.btn.cancel ?></a>
</form>
<?cs call:foot() ?>
