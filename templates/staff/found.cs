<?cs # found.cs - the money found on meters joining an account: per meter its money by its last read, the read's age, "read now", the choice (clear / carry over / carry the debt), another room's meter asked about; on the confirmation, the choices restated in figures. ?>
<?cs def:found_table() ?>
<table class="list" id="found"><thead><tr><th><?cs var:Lang.col.meter_number ?></th><th><?cs var:Lang.page.remaining ?></th><th><?cs var:Lang.page.read_at ?></th><th><?cs var:Lang.page.open_money ?></th></tr></thead>
<tbody><?cs each:c = Found ?><tr id="found-<?cs var:c.id ?>" data-meter="<?cs var:c.number ?>">
<td><?cs var:c.number ?></td>
<td class="money"><?cs if:c.age != -1 ?><?cs var:c.money ?><?cs /if ?></td>
<td><?cs if:c.age == -1 ?><?cs var:Lang.page.never_read ?><?cs else ?><?cs var:c.read_at ?> (<span class="age"><?cs var:c.age ?></span> <?cs var:Lang.page.minutes_ago ?>)<?cs /if ?></td>
<td><?cs if:Confirm.show ?>
<?cs if:c.choice ?><input type="hidden" name="money_<?cs var:c.id ?>" value="<?cs var:c.choice ?>"><input type="hidden" name="amt_<?cs var:c.id ?>" value="<?cs var:c.money_fen ?>"><?cs /if ?>
<?cs if:c.other_ok ?><input type="hidden" name="other_<?cs var:c.id ?>" value="1"><?cs /if ?>
<span class="restate" id="restate-<?cs var:c.id ?>"><?cs if:c.choice == "clear" ?><?cs var:Lang.page.restate_clear ?> ¥<?cs var:c.money ?><?cs if:c.prev != "0" ?><?cs var:Lang.page.restate_clear_prev ?> <?cs var:c.prev_holder ?><?cs else ?><?cs var:Lang.page.restate_clear_site ?><?cs /if ?><?cs elif:c.choice == "carry" ?><?cs var:Lang.page.restate_carry ?> ¥<?cs var:c.money ?><?cs var:Lang.page.restate_carry_after ?><?cs elif:c.choice == "debt" ?><?cs var:Lang.page.restate_debt ?> ¥-<?cs var:c.debt ?><?cs /if ?>
<?cs if:c.other ?><br><?cs var:Lang.page.restate_other ?> <?cs var:c.room_b ?> <?cs var:c.room_n ?> <?cs var:Lang.page.room_unit ?><?cs /if ?></span>
<?cs else ?>
<?cs if:c.read ?><?cs if:c.reading > 0 ?><span class="reading"><?cs var:Lang.page.reading_now ?></span> <?cs /if ?><button type="submit" name="read" value="<?cs var:c.id ?>" id="read-<?cs var:c.id ?>"><?cs var:Lang.btn.read_now ?></button>
<?cs elif:c.sign == 1 ?><label><input type="radio" name="money_<?cs var:c.id ?>" value="clear"<?cs if:c.choice == "clear" ?> checked<?cs /if ?>> <?cs var:Lang.page.open_clear ?><?cs if:c.prev != "0" ?> (<?cs var:Lang.page.restate_clear_prev ?> <?cs var:c.prev_holder ?>)<?cs /if ?></label>
<label><input type="radio" name="money_<?cs var:c.id ?>" value="carry"<?cs if:c.choice == "carry" ?> checked<?cs /if ?>> <?cs var:Lang.page.open_carry ?></label>
<?cs elif:c.sign == -1 ?><label><input type="radio" name="money_<?cs var:c.id ?>" value="debt"<?cs if:c.choice == "debt" ?> checked<?cs /if ?>> <?cs var:Lang.page.open_debt ?> ¥-<?cs var:c.debt ?></label> <?cs var:Lang.page.open_debt_help ?>
<?cs /if ?>
<?cs if:c.other ?><label class="other-room"><input type="checkbox" name="other_<?cs var:c.id ?>" value="1"<?cs if:c.other_ok ?> checked<?cs /if ?>> <?cs var:Lang.page.meter_of ?> <?cs var:c.room_b ?> <?cs var:c.room_n ?> <?cs var:Lang.page.meter_of_q ?></label><?cs /if ?>
<?cs /if ?>
<?cs if:c.err ?><span class="err" id="err-m<?cs var:c.id ?>"><?cs var:c.err ?></span><?cs /if ?></td></tr><?cs /each ?></tbody></table>
<?cs /def ?>
