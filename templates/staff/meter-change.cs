<?cs # meter-change.cs - F11 add a meter to an account, or replace one and move its money; the money already on the new meter and what becomes of it. ?>
<?cs include:"layout.cs" ?>
<?cs include:"found.cs" ?>
<?cs call:head(Lang.page.meter_change) ?>
<p><?cs var:Account.holder ?> <?cs var:Account.holder_no ?>, <?cs var:Account.building ?> <?cs var:Account.room ?></p>
<form method="post" action="/account/meter?id=<?cs var:Account.id ?>" class="form"<?cs if:Confirm.show ?> data-confirm="<?cs var:Lang.page.change_confirm ?>"<?cs /if ?>>
<?cs call:csrf() ?>
<input type="hidden" name="id" value="<?cs var:Account.id ?>">
<input type="hidden" name="idem" value="<?cs var:Form.idem ?>">
<label for="f-mode"><?cs var:Lang.col.kind ?></label>
<select id="f-mode" name="mode"><option value="replace"<?cs if:Form.mode == "replace" ?> selected<?cs /if ?>><?cs var:Lang.page.mode_replace ?></option><option value="add"<?cs if:Form.mode == "add" ?> selected<?cs /if ?>><?cs var:Lang.page.mode_add ?></option></select>
<label for="f-old"><?cs var:Lang.page.old_meter ?></label>
<select id="f-old" name="old"><option value=""></option><?cs each:m = Meters ?><option value="<?cs var:m.id ?>"<?cs if:Form.old == m.id ?> selected<?cs /if ?>><?cs var:m.number ?></option><?cs /each ?></select>
<?cs call:err("old") ?>
<?cs call:text("new", Lang.page.new_meter, "text") ?>
<?cs if:Found.0.id ?><h2><?cs var:Lang.page.open_money ?></h2>
<?cs if:Page.read_asked ?><p class="ok" id="read-asked"><?cs var:Lang.page.read_asked ?></p><?cs /if ?>
<?cs call:found_table() ?><?cs /if ?>
<?cs if:Confirm.show ?><input type="hidden" name="confirm" value="1">
<?cs if:Form.mode == "replace" ?><p class="warn"><?cs var:Lang.page.move_money ?>: <strong id="move-money"><?cs var:Confirm.money ?></strong></p><?cs /if ?><?cs /if ?>
<button type="submit"><?cs if:Confirm.show ?><?cs var:Lang.btn.confirm ?><?cs else ?><?cs var:Lang.btn.next_step ?><?cs /if ?></button> <a href="/account?id=<?cs var:Account.id ?>"><?cs var:Lang.btn.cancel ?></a>
</form>
<?cs call:foot() ?>
