<?cs # home.cs - the start page: who is signed in and what the site holds. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.home) ?>
<p><?cs var:Lang.page.welcome ?><?cs var:Op.name ?></p>
<h2><?cs var:Lang.page.counts ?></h2>
<table class="counts">
<tr><th><?cs var:Lang.page.count_buildings ?></th><td id="n-buildings"><?cs var:Count.buildings ?></td></tr>
<tr><th><?cs var:Lang.page.count_rooms ?></th><td id="n-rooms"><?cs var:Count.rooms ?></td></tr>
<tr><th><?cs var:Lang.page.count_gateways ?></th><td id="n-gateways"><?cs var:Count.gateways ?></td></tr>
<tr><th><?cs var:Lang.page.count_buses ?></th><td id="n-buses"><?cs var:Count.buses ?></td></tr>
<tr><th><?cs var:Lang.page.count_meters ?></th><td id="n-meters"><?cs var:Count.meters ?></td></tr>
<tr><th><?cs var:Lang.page.count_operators ?></th><td id="n-operators"><?cs var:Count.operators ?></td></tr>
</table>
<?cs if:Count.maybe_sms > 0 ?>
<h2><?cs var:Lang.page.maybe_sms ?></h2>
<p><?cs var:Lang.page.maybe_sms_note ?><span id="n-maybe-sms"><?cs var:Count.maybe_sms ?></span></p>
<table class="list" id="maybe-sms">
<tr><th><?cs var:Lang.page.sms_id ?></th><th><?cs var:Lang.page.sms_phone ?></th><th><?cs var:Lang.page.sms_status ?></th><th><?cs var:Lang.page.sms_created ?></th></tr>
<?cs each:m = MaybeSms ?><tr><td><?cs var:m.id ?></td><td><?cs var:m.phone ?></td><td><?cs var:Lang.sms_status[m.status] ?></td><td><?cs var:m.created ?></td></tr>
<?cs /each ?></table>
<?cs /if ?>
<?cs if:subcount(Collectors) > 0 ?>
<h2><?cs var:Lang.page.collectors ?></h2>
<table class="list" id="collectors">
<tr><th><?cs var:Lang.page.collector_name ?></th><th><?cs var:Lang.page.collector_heartbeat ?></th><th><?cs var:Lang.page.collector_age ?></th></tr>
<?cs each:c = Collectors ?><tr><td><?cs var:c.name ?></td><td><?cs var:c.at ?></td><td><?cs var:c.age ?><?cs var:Lang.page.seconds_ago ?></td></tr>
<?cs /each ?></table>
<?cs /if ?>
<?cs call:foot() ?>
