<?cs # tariffs.cs - B6 tariffs: their versions by effective date, new versions, assignment to meters. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.tariffs) ?>
<?cs if:Query.n ?><p class="ok" id="n-assigned"><?cs var:Lang.page.assigned ?> <?cs var:Query.n ?> <?cs var:Lang.page.assigned_to ?>「<?cs var:Query.t ?>」</p><?cs /if ?>
<?cs each:t = Tariffs ?>
<section class="tariff" id="tariff-<?cs var:t.id ?>">
<h2><?cs var:t.name ?> <small>(<?cs var:t.meters ?> <?cs var:Lang.page.meters_unit ?>)</small></h2>
<table class="list versions"><thead><tr><th><?cs var:Lang.page.effective ?></th><th><?cs var:Lang.page.slot0 ?></th><th><?cs var:Lang.page.slot1 ?></th><th><?cs var:Lang.page.slot2 ?></th><th><?cs var:Lang.page.slot3 ?></th><th><?cs var:Lang.page.tou ?></th><th><?cs var:Lang.page.tiers ?></th><th><?cs var:Lang.col.status ?></th></tr></thead>
<tbody><?cs each:v = Versions ?><?cs if:v.tariff_id == t.id ?><tr><td><?cs var:v.effective_date ?></td><td><?cs var:v.y0 ?></td><td><?cs var:v.y1 ?></td><td><?cs var:v.y2 ?></td><td><?cs var:v.y3 ?></td><td class="tou"><?cs if:v.tou_text ?><?cs var:v.tou_text ?><?cs else ?><?cs var:Lang.page.one_price ?><?cs /if ?></td><td class="tiers"><?cs var:v.tiers ?></td><td><?cs if:v.applied == 1 ?><?cs var:Lang.page.applied ?><?cs else ?><?cs var:Lang.page.scheduled ?><?cs /if ?></td></tr><?cs /if ?><?cs /each ?></tbody></table>
</section>
<?cs /each ?>
<h2><?cs var:Lang.page.tariff_new ?></h2>
<form method="post" action="/tariff" class="form"><?cs call:csrf() ?>
<?cs call:text("name", Lang.col.name, "text") ?><?cs call:text("note", Lang.col.note, "text") ?>
<button type="submit"><?cs var:Lang.btn.save ?></button></form>
<?cs if:Tariffs.0.id ?>
<h2><?cs var:Lang.page.version_new ?></h2>
<form method="post" action="/tariff/version" class="form" data-confirm="<?cs var:Lang.page.version_confirm ?>"><?cs call:csrf() ?>
<label for="f-tariff"><?cs var:Lang.page.tariff ?></label><select id="f-tariff" name="tariff"><?cs each:t = Tariffs ?><option value="<?cs var:t.id ?>"<?cs if:Form.tariff == t.id ?> selected<?cs /if ?>><?cs var:t.name ?></option><?cs /each ?></select><?cs call:err("tariff") ?>
<?cs call:text("date", Lang.page.effective, "date") ?>
<small class="hint"><?cs var:Lang.page.prices_help ?></small><?cs call:text("p0", Lang.page.slot0, "text") ?><?cs call:text("p1", Lang.page.slot1, "text") ?><?cs call:text("p2", Lang.page.slot2, "text") ?><?cs call:text("p3", Lang.page.slot3, "text") ?>
<?cs call:text("tou", Lang.page.tou, "text") ?><small><?cs var:Lang.page.tou_help ?></small>
<?cs call:text("tiers", Lang.page.tiers, "text") ?><small><?cs var:Lang.page.tiers_help ?></small>
<button type="submit"><?cs var:Lang.btn.save ?></button></form>
<h2><?cs var:Lang.page.assign ?></h2>
<form method="post" action="/tariff/assign" class="form" data-confirm="<?cs var:Lang.page.assign_confirm ?>"><?cs call:csrf() ?>
<label for="f-atariff"><?cs var:Lang.page.tariff ?></label><select id="f-atariff" name="tariff"><?cs each:t = Tariffs ?><option value="<?cs var:t.id ?>"><?cs var:t.name ?></option><?cs /each ?></select><?cs call:err("atariff") ?>
<label for="f-building"><?cs var:Lang.col.building ?></label><select id="f-building" name="building"><option value=""></option><?cs each:o = Buildings ?><option value="<?cs var:o.id ?>"><?cs var:o.name ?></option><?cs /each ?></select><?cs call:err("building") ?>
<?cs call:text("floor", Lang.col.floor, "number") ?>
<?cs call:text("meter", Lang.col.meter_number, "text") ?>
<button type="submit"><?cs var:Lang.btn.save ?></button></form>
<?cs /if ?>
<?cs call:foot() ?>
