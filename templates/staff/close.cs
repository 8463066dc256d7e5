<?cs # close.cs - F13 closing an account: every meter read fresh, money refunded, trip or keep. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.close) ?>
<table class="counts">
<tr><th><?cs var:Lang.col.holder ?></th><td><?cs var:Account.holder ?> <?cs var:Account.holder_no ?></td></tr>
<tr><th><?cs var:Lang.col.room ?></th><td><?cs var:Account.building ?> <?cs var:Account.room ?></td></tr>
<tr><th><?cs var:Lang.col.status ?></th><td id="account-status"><?cs var:Lang.account[Account.status] ?></td></tr>
</table>
<?cs if:Form.err.form ?><p class="err form-err" role="alert"><?cs var:Form.err.form ?></p><?cs /if ?>
<?cs if:Pending.0.id ?><p class="warn"><?cs var:Lang.page.pending_note ?></p>
<table class="list pending"><tbody><?cs each:c = Pending ?><tr class="st-<?cs var:c.status ?>"><td><?cs var:c.number ?></td><td><?cs var:Lang.cmdkind[c.kind] ?></td><td><?cs var:Lang.cmd[c.status] ?></td><td class="cmd-error" title="<?cs var:c.error ?>"><?cs var:c.error_text ?></td></tr><?cs /each ?></tbody></table><?cs /if ?>
<?cs if:Steps.0.meter_id ?>
<?cs if:Page.ok == "closing" ?><p class="ok"><?cs var:Lang.ok.closing_steps ?></p><?cs /if ?>
<table class="list steps" id="close-steps"><thead><tr><th><?cs var:Lang.col.meter_number ?></th><th><?cs var:Lang.page.after_close ?></th><th><?cs var:Lang.page.close_step ?></th><th><?cs var:Lang.page.refund_amount ?></th><th></th></tr></thead>
<tbody><?cs each:m = Steps ?><tr class="step-<?cs var:m.state ?>" id="step-<?cs var:m.meter_id ?>"><td><?cs var:m.number ?></td>
<td><?cs if:m.keep_power == "1" ?><?cs var:Lang.page.keep_prepaid ?><?cs else ?><?cs var:Lang.action.trip ?><?cs /if ?></td>
<td><?cs var:Lang.closestep[m.state] ?><?cs if:m.state == "refused" || m.state == "overdraft" || m.state == "trip_failed" || m.state == "restore_failed" ?><p class="err"><?cs var:Lang.closehelp[m.state] ?></p><?cs /if ?><?cs if:m.note && Lang.err[m.note] ?><p class="warn"><?cs var:Lang.err[m.note] ?></p><?cs /if ?></td>
<td class="money"><?cs if:m.debt ?><span class="err"><?cs var:Lang.page.overdraft ?> <?cs var:m.debt ?></span><?cs else ?><?cs var:m.money ?><?cs /if ?></td>
<td><?cs if:m.state == "refused" || m.state == "trip_failed" || m.state == "restore_failed" || m.state == "read" ?><form method="post" action="/close" class="inline"><?cs call:csrf() ?><input type="hidden" name="id" value="<?cs var:Account.id ?>"><input type="hidden" name="meter" value="<?cs var:m.meter_id ?>"><input type="hidden" name="action" value="retry"><button type="submit" id="retry-<?cs var:m.meter_id ?>"><?cs if:m.state == "read" ?><?cs var:Lang.btn.read_now ?><?cs else ?><?cs var:Lang.btn.close_retry ?><?cs /if ?></button></form><?cs /if ?>
<?cs if:m.state == "overdraft" ?><form method="post" action="/close" class="inline" data-confirm="<?cs var:Lang.confirm.close_pay ?>"><?cs call:csrf() ?><input type="hidden" name="id" value="<?cs var:Account.id ?>"><input type="hidden" name="meter" value="<?cs var:m.meter_id ?>"><input type="hidden" name="action" value="pay"><input type="hidden" name="confirm" value="1"><button type="submit" id="pay-<?cs var:m.meter_id ?>"><?cs var:Lang.btn.close_pay ?> <?cs var:m.debt ?></button></form><?cs /if ?></td></tr><?cs /each ?></tbody></table>
<?cs /if ?>
<?cs if:Account.status == "open" ?>
<form method="post" action="/close" class="form wide" <?cs if:Confirm.show ?>data-confirm="<?cs var:Lang.confirm.close ?>"<?cs /if ?>>
<?cs call:csrf() ?>
<input type="hidden" name="id" value="<?cs var:Account.id ?>">
<table class="list meters"><thead><tr><th><?cs var:Lang.col.meter_number ?></th><th><?cs var:Lang.page.refund_amount ?></th><th><?cs var:Lang.page.read_at ?></th><th><?cs var:Lang.page.after_close ?></th></tr></thead>
<tbody><?cs each:m = Meters ?><tr><td><?cs var:m.number ?></td><td class="money"><?cs var:m.money ?><?cs if:m.overdraft ?> <span class="err"><?cs var:Lang.page.overdraft ?></span><?cs /if ?></td>
<td><?cs if:m.stale ?><span class="warn stale"><?cs var:Lang.page.stale ?></span><?cs else ?><?cs var:m.age ?> <?cs var:Lang.page.seconds_ago ?><?cs /if ?></td>
<td><select name="trip<?cs var:m.id ?>"><option value="1"><?cs var:Lang.action.trip ?></option><option value="0"><?cs var:Lang.page.keep_prepaid ?></option></select></td></tr><?cs /each ?></tbody></table>
<?cs if:Pending.0.id ?><label class="check"><input type="checkbox" name="seen" value="1"> <?cs var:Lang.page.seen_pending ?></label><?cs call:err("seen") ?><?cs /if ?>
<?cs if:Confirm.show ?><input type="hidden" name="confirm" value="1"><p class="warn"><?cs var:Lang.page.close_confirm ?></p><?cs /if ?>
<?cs if:Account.status == "open" ?><button type="submit" id="close-go"><?cs if:Confirm.show ?><?cs var:Lang.btn.confirm_close ?><?cs else ?><?cs var:Lang.btn.next_step ?><?cs /if ?></button><?cs /if ?>
<a href="/account?id=<?cs var:Account.id ?>"><?cs var:Lang.btn.cancel ?></a>
</form>
<?cs /if ?>
<?cs each:m = Meters ?><?cs if:m.stale ?><form method="post" action="/meter/read" class="inline"><?cs call:csrf() ?><input type="hidden" name="meter" value="<?cs var:m.id ?>"><input type="hidden" name="back" value="/close?id=<?cs var:Account.id ?>"><button type="submit"><?cs var:Lang.btn.read_now ?> <?cs var:m.number ?></button></form> <?cs /if ?><?cs /each ?>
<?cs call:foot() ?>
