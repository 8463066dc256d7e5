<?cs # instruments.cs - F29 energy-only meters: use between two times by the reads nearest them, and their reads. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.energy.instruments) ?>
<form method="get" action="/report/instruments" class="filters">
<select name="meter"><option value=""><?cs var:Lang.col.meter_number ?>: <?cs var:Lang.page.all ?></option>
<?cs each:o = Instruments ?><option value="<?cs var:o.id ?>"<?cs if:Filter.meter == o.id ?> selected<?cs /if ?>><?cs var:o.number ?> <?cs var:o.building ?></option><?cs /each ?></select><?cs call:err("meter") ?>
<label><?cs var:Lang.energy.t1 ?> <input name="t1" value="<?cs var:Filter.t1 ?>" placeholder="YYYY-MM-DD HH:MM"></label><?cs call:err("t1") ?>
<label><?cs var:Lang.energy.t2 ?> <input name="t2" value="<?cs var:Filter.t2 ?>" placeholder="YYYY-MM-DD HH:MM"></label><?cs call:err("t2") ?>
<button type="submit"><?cs var:Lang.btn.search ?></button>
</form>
<?cs if:!Form.nerrors ?>
<table class="list between"><thead><tr><th><?cs var:Lang.col.meter_number ?></th><th><?cs var:Lang.col.building ?></th><th><?cs var:Lang.energy.read1 ?></th><th><?cs var:Lang.energy.energy_kwh ?></th><th><?cs var:Lang.energy.read2 ?></th><th><?cs var:Lang.energy.energy_kwh ?></th><th><?cs var:Lang.energy.used_kwh ?></th></tr></thead>
<tbody><?cs each:o = Meters ?><tr><td class="number"><?cs var:o.number ?></td><td><?cs var:o.building ?></td><td class="at1"><?cs if:o.at1 ?><?cs var:o.at1 ?><?cs else ?><?cs var:Lang.energy.no_read ?><?cs /if ?></td><td class="e1"><?cs var:o.e1_kwh ?></td><td class="at2"><?cs if:o.at2 ?><?cs var:o.at2 ?><?cs else ?><?cs var:Lang.energy.no_read ?><?cs /if ?></td><td class="e2"><?cs var:o.e2_kwh ?></td><td class="used"><?cs var:o.used_kwh ?></td></tr><?cs /each ?>
<?cs if:!Meters.0.id ?><tr><td colspan="7"><?cs var:Lang.page.none ?></td></tr><?cs /if ?></tbody></table>
<h2><?cs var:Lang.energy.reads ?></h2>
<table class="list reads"><thead><tr><th><?cs var:Lang.col.time ?></th><th><?cs var:Lang.col.meter_number ?></th><th><?cs var:Lang.energy.energy_kwh ?></th><th><?cs var:Lang.energy.power_w ?></th><th><?cs var:Lang.energy.voltage ?></th><th><?cs var:Lang.energy.current ?></th></tr></thead>
<tbody><?cs each:o = Rows ?><tr><td><?cs var:o.at ?></td><td><?cs var:o.number ?></td><td class="energy"><?cs var:o.energy_kwh ?></td><td><?cs var:o.power_w ?></td><td><?cs var:o.voltage_dv ?></td><td><?cs var:o.current_ca ?></td></tr><?cs /each ?>
<?cs if:!Rows.0.at ?><tr><td colspan="6"><?cs var:Lang.page.none ?></td></tr><?cs /if ?></tbody></table>
<?cs call:pager() ?>
<?cs /if ?>
<?cs call:foot() ?>
