<?cs # batch.cs - F15 the live status of every meter, colour-coded, and commands to many at once. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.batch) ?>
<?cs if:Query.ok == "none_selected" ?><p class="warn"><?cs var:Lang.page.none_selected ?></p><?cs /if ?>
<form method="get" action="/batch" class="filters">
<select name="building"><option value=""><?cs var:Lang.col.building ?>: <?cs var:Lang.page.all ?></option>
<?cs each:o = Buildings ?><option value="<?cs var:o.id ?>"<?cs if:Filter.building == o.id ?> selected<?cs /if ?>><?cs var:o.name ?></option><?cs /each ?></select>
<input name="floor" type="number" min="1" value="<?cs if:Filter.floor != 0 ?><?cs var:Filter.floor ?><?cs /if ?>" placeholder="<?cs var:Lang.col.floor ?>">
<select name="state"><option value=""><?cs var:Lang.col.state ?>: <?cs var:Lang.page.all ?></option>
<?cs each:o = States ?><option value="<?cs var:o ?>"<?cs if:Filter.state == o ?> selected<?cs /if ?>><?cs var:Lang.state[o] ?></option><?cs /each ?></select>
<input name="q" value="<?cs var:Filter.q ?>" placeholder="<?cs var:Lang.page.account_search ?>">
<button type="submit"><?cs var:Lang.btn.search ?></button>
</form>
<p class="legend"><?cs each:o = States ?><span class="state st-<?cs var:o ?>"><?cs var:Lang.state[o] ?></span> <?cs /each ?></p>
<form method="post" action="/batch/run" class="batch">
<?cs call:csrf() ?>
<input type="hidden" name="q" value="<?cs var:Filter.q ?>"><input type="hidden" name="state" value="<?cs var:Filter.state ?>">
<input type="hidden" name="building" value="<?cs if:Filter.building != 0 ?><?cs var:Filter.building ?><?cs /if ?>"><input type="hidden" name="floor" value="<?cs if:Filter.floor != 0 ?><?cs var:Filter.floor ?><?cs /if ?>">
<p class="actions"><label><input type="checkbox" name="all" value="1" id="all-filtered"> <?cs var:Lang.page.all_filtered ?> (<?cs var:List.total ?>)</label>
<select name="action" id="batch-action"><?cs each:o = Actions ?><option value="<?cs var:o ?>"><?cs var:Lang.action[o] ?></option><?cs /each ?></select>
<input type="hidden" name="idem" value="-">
<button type="submit" id="batch-go"><?cs var:Lang.btn.next_step ?></button></p>
<table class="list status">
<thead><tr><th></th><?cs call:th("number", Lang.col.meter_number) ?><?cs call:th("room", Lang.col.room) ?><th><?cs var:Lang.col.holder ?></th><?cs call:th("remaining", Lang.page.remaining) ?><th><?cs var:Lang.page.relay ?></th><th><?cs var:Lang.col.state ?></th><th><?cs var:Lang.page.read_at ?></th></tr></thead>
<?cs # the words of a row looked up once, not through the Lang link every row ?>
<tbody><?cs with:st = Lang.state ?><?cs with:pw = Lang.page ?><?cs each:o = Rows ?><tr class="st-<?cs var:o.state ?>"><td><input type="checkbox" name="m" value="<?cs var:o.id ?>"></td><td class="number"><?cs var:o.number ?></td><td><?cs var:o.building ?> <?cs var:o.room ?></td><td><?cs var:o.holder ?></td><td class="money"><?cs var:o.remaining ?></td><td><?cs if:o.relay ?><?cs var:pw[o.relay] ?><?cs /if ?></td><td class="state"><?cs var:st[o.state] ?></td><td><?cs var:o.read_at ?></td></tr><?cs /each ?><?cs /with ?><?cs /with ?>
<?cs if:!Rows.0.id ?><tr><td colspan="8"><?cs var:Lang.page.none ?></td></tr><?cs /if ?></tbody></table>
</form>
<?cs call:pager() ?>
<?cs call:foot() ?>
