<?cs # home.cs - the start page (首页): the dashboard of money, meters, alarms, commands, SMS, approvals and reconciliation, then the site's counts. ?>
<?cs include:"layout.cs" ?>
<?cs # a figure, a link to its list when the operator may open it ?>
<?cs def:num(id, n, may, href) ?><?cs if:may ?><a id="<?cs var:id ?>" href="<?cs var:href ?>"><?cs var:n ?></a><?cs else ?><span id="<?cs var:id ?>"><?cs var:n ?></span><?cs /if ?><?cs /def ?>
<?cs def:money_row(key, list, may) ?>
<tr><th scope="row"><?cs var:Lang.dash[key] ?></th>
<td><?cs call:num("d-today-" + key, Dash.today[key], may, list + "?from=" + Dash.day + "&to=" + Dash.day) ?></td>
<td><?cs call:num("d-month-" + key, Dash.month[key], may, list + "?from=" + Dash.month_first + "&to=" + Dash.day) ?></td></tr>
<?cs /def ?>
<?cs call:head(Lang.dash.title) ?>
<?cs if:Notice.at ?><p class="warn alert alert-warning" role="alert" id="pw-notice"><?cs var:Lang.Sessions.notice_pre ?> <?cs var:Notice.at ?> <?cs var:Lang.Sessions.notice_by ?> <?cs var:Notice.by_name ?> (<?cs var:Notice.by_login ?>) <?cs if:Notice.reset == "1" ?><?cs var:Lang.Sessions.notice_reset ?><?cs else ?><?cs var:Lang.Sessions.notice_changed ?><?cs /if ?><?cs var:Lang.Sessions.notice_post ?> <a href="/sessions"><?cs var:Lang.Sessions.title ?></a></p><?cs /if ?>
<p class="welcome"><?cs var:Lang.dash.welcome ?><span class="name"><?cs var:Op.name ?></span></p>
<div class="dash">
<?cs if:Op.right.F18 || Op.right.F20 || Op.right.F23 || Op.right.F24 ?>
<section class="card" id="dash-money"><h2><?cs var:Lang.dash.money ?></h2>
<div class="table-responsive"><table class="money">
<thead><tr><th></th><th scope="col"><?cs var:Lang.dash.today ?> <small><?cs var:Dash.day ?></small></th><th scope="col"><?cs var:Lang.dash.month ?></th></tr></thead>
<tbody>
<?cs call:money_row("sales", "/sales", Op.right.F18) ?>
<?cs call:money_row("refunds", "/refunds", Op.right.F20) ?>
<?cs call:money_row("reversals", "/reversals", Op.right.F18) ?>
<tr><th scope="row"><?cs var:Lang.dash.net ?></th>
<td><?cs call:num("d-today-net", Dash.today.net, Op.right.F23, "/report/sales/day") ?></td>
<td><?cs call:num("d-month-net", Dash.month.net, Op.right.F24, "/report/sales/month") ?></td></tr>
</tbody></table></div>
</section>
<?cs /if ?>
<section class="card" id="dash-meters"><h2><?cs var:Lang.dash.meters ?></h2>
<dl>
<dt><?cs var:Lang.dash.read_cycle ?></dt><dd><?cs call:num("d-read-cycle", Dash.read_cycle, Op.right.F15, "/batch") ?> / <span id="d-meters"><?cs var:Dash.meters ?></span></dd>
<dt><?cs var:Lang.dash.lost_meters ?></dt><dd<?cs if:Dash.lost_meters > 0 ?> class="bad"<?cs /if ?>><?cs call:num("d-lost-meters", Dash.lost_meters, Op.right.F26, "/report/lost-meters") ?></dd>
<dt><?cs var:Lang.dash.lost_gateways ?></dt><dd<?cs if:Dash.lost_gateways > 0 ?> class="bad"<?cs /if ?>><?cs call:num("d-lost-gateways", Dash.lost_gateways, Op.right.F27, "/report/lost-gateways") ?></dd>
</dl>
</section>
<section class="card" id="dash-alarms"><h2><?cs var:Lang.dash.alarms ?></h2>
<dl>
<?cs each:a = Dash.alarm ?><dt><?cs var:Lang.dash.kind[a.kind] ?></dt><dd<?cs if:a.n > 0 ?> class="bad"<?cs /if ?>><?cs call:num("d-alarm-" + a.kind, a.n, Op.right.F22, "/report/alarms?kind=" + a.kind) ?></dd>
<?cs /each ?><dt><strong><?cs var:Lang.dash.alarms_open ?></strong></dt><dd><?cs call:num("d-alarms-open", Dash.alarms_open, Op.right.F22, "/report/alarms") ?></dd>
</dl>
</section>
<section class="card" id="dash-queue"><h2><?cs var:Lang.dash.commands ?> / <?cs var:Lang.dash.sms ?></h2>
<dl>
<dt><?cs var:Lang.dash.cmd_queued ?></dt><dd><?cs call:num("d-cmd-queued", Dash.cmd_queued, Op.right.B9, "/health") ?></dd>
<dt><?cs var:Lang.dash.cmd_failed ?></dt><dd<?cs if:Dash.cmd_failed > 0 ?> class="bad"<?cs /if ?>><?cs call:num("d-cmd-failed", Dash.cmd_failed, Op.right.B9, "/health") ?></dd>
<dt><?cs var:Lang.dash.sms_waiting ?></dt><dd><?cs call:num("d-sms-waiting", Dash.sms_waiting, Op.right.B9, "/health") ?></dd>
<dt><?cs var:Lang.dash.sms_failed ?></dt><dd<?cs if:Dash.sms_failed > 0 ?> class="bad"<?cs /if ?>><?cs call:num("d-sms-failed", Dash.sms_failed, Op.right.B9, "/health") ?></dd>
</dl>
</section>
<section class="card" id="dash-checks"><h2><?cs var:Lang.dash.approvals ?> / <?cs var:Lang.dash.reconcile ?></h2>
<dl>
<dt><?cs var:Lang.dash.approvals ?></dt><dd<?cs if:Dash.approvals > 0 ?> class="bad"<?cs /if ?>><?cs call:num("d-approvals", Dash.approvals, "1", "/approvals") ?></dd>
<dt><?cs var:Lang.dash.reconcile ?></dt><dd<?cs if:Dash.rc.total > 0 ?> class="bad"<?cs /if ?>><?cs if:Dash.rc.at ?><?cs if:Dash.rc.total > 0 ?><?cs call:num("d-reconcile", Dash.rc.total + Lang.dash.rc_bad, Op.right.F18, "/reconcile") ?><?cs else ?><?cs call:num("d-reconcile", Lang.dash.rc_ok, Op.right.F18, "/reconcile") ?><?cs /if ?><?cs else ?><span id="d-reconcile"><?cs var:Lang.dash.rc_none ?></span><?cs /if ?></dd>
</dl>
<?cs if:Dash.rc.at ?><p class="small text-muted mb-0 mt-2" id="d-reconcile-at"><?cs var:Lang.dash.rc_at ?><?cs var:Dash.rc.at ?></p><?cs /if ?>
</section>
<?cs if:Op.right.PAY ?>
<section class="card" id="dash-pay"><h2><?cs var:Lang.dash.pay ?></h2>
<dl>
<dt><?cs var:Lang.dash.pay_refund ?></dt><dd<?cs if:Dash.pay_refund > 0 ?> class="bad"<?cs /if ?>><?cs call:num("d-pay-refund", Dash.pay_refund, Op.right.PAY, "/payments?state=needs_refund") ?></dd>
<dt><?cs var:Lang.dash.pay_bad ?></dt><dd<?cs if:Dash.pay_bad > 0 ?> class="bad"<?cs /if ?>><?cs call:num("d-pay-bad", Dash.pay_bad, Op.right.PAY, "/payments?state=needs_refund#bad-notices") ?></dd>
</dl>
</section>
<?cs /if ?>
</div>
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
<div class="table-responsive"><table class="list" id="maybe-sms">
<tr><th><?cs var:Lang.page.sms_id ?></th><th><?cs var:Lang.page.sms_phone ?></th><th><?cs var:Lang.page.sms_status ?></th><th><?cs var:Lang.page.sms_created ?></th></tr>
<?cs each:m = MaybeSms ?><tr><td><?cs var:m.id ?></td><td><?cs var:m.phone ?></td><td><?cs var:Lang.sms_status[m.status] ?></td><td><?cs var:m.created ?></td></tr>
<?cs /each ?></table></div>
<?cs /if ?>
<?cs if:subcount(Collectors) > 0 ?>
<h2><?cs var:Lang.page.collectors ?></h2>
<div class="table-responsive"><table class="list" id="collectors">
<tr><th><?cs var:Lang.page.collector_name ?></th><th><?cs var:Lang.page.collector_heartbeat ?></th><th><?cs var:Lang.page.collector_age ?></th></tr>
<?cs each:c = Collectors ?><tr><td><?cs var:c.name ?></td><td><?cs var:c.at ?></td><td><?cs var:c.age ?><?cs var:Lang.page.seconds_ago ?></td></tr>
<?cs /each ?></table></div>
<?cs /if ?>
<?cs call:foot() ?>
