<?cs # batch-confirm.cs - F15 the confirmation naming the action and how many meters. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.batch_confirm) ?>
<p class="warn confirm" id="batch-confirm"><?cs var:Lang.page.batch_confirm_pre ?><strong id="confirm-count"><?cs var:Confirm.count ?></strong><?cs var:Lang.page.batch_confirm_mid ?><strong id="confirm-action"><?cs var:Confirm.action_name ?></strong><?cs var:Lang.page.batch_confirm_post ?></p>
<form method="post" action="/batch/run" class="form">
<?cs call:csrf() ?>
<input type="hidden" name="action" value="<?cs var:Confirm.action ?>">
<input type="hidden" name="idem" value="<?cs var:Confirm.idem ?>">
<input type="hidden" name="confirm" value="1">
<?cs each:i = Confirm.ids ?><input type="hidden" name="m" value="<?cs var:i ?>"><?cs /each ?>
<button type="submit" id="batch-confirm-go"><?cs var:Lang.btn.confirm ?></button> <a href="/batch"><?cs var:Lang.btn.cancel ?></a>
</form>
<?cs call:foot() ?>
