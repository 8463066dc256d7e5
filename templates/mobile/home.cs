<?cs # home.cs - M2 my account on one phone screen: money and forecast, this month's tier, the alert settings, meters, 30 days of use, entries, alarms. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.home) ?>
<?cs if:Notice.at ?><p class="warn" role="alert" id="pw-notice"><?cs var:Lang.Sessions.notice_pre ?> <?cs var:Notice.at ?> <?cs if:Notice.reset == "1" ?><?cs var:Lang.Sessions.notice_staff ?><?cs else ?><?cs var:Lang.Sessions.notice_self ?><?cs /if ?><?cs var:Lang.Sessions.notice_post ?></p><?cs /if ?>
<?cs if:Query.ok ?><p class="ok"><?cs var:Lang.ok[Query.ok] ?></p><?cs /if ?>
<section class="card money">
<p class="where"><?cs var:Account.building ?> <?cs var:Account.room ?> · <?cs var:Account.holder ?></p>
<p class="label"><?cs var:Lang.page.money ?></p>
<p class="big<?cs if:Account.arrears ?> neg<?cs /if ?>" id="money">¥<?cs var:Account.money ?></p>
<p id="forecast"><?cs if:Forecast.state == "days" ?><?cs var:Lang.page.forecast_pre ?> <strong><?cs var:Forecast.days ?></strong> <?cs var:Lang.page.forecast_post ?><?cs else ?><?cs var:Lang.forecast[Forecast.state] ?><?cs /if ?></p>
<p><?cs var:Lang.page.month_use ?>: <strong id="month"><?cs var:Account.month_kwh ?></strong> <?cs var:Lang.page.kwh ?></p>
<?cs if:Tier.n ?><p><?cs var:Lang.tier.label ?>: <strong id="tier"><?cs var:Lang.tier.n[Tier.n] ?><?cs if:Tier.next ?><?cs var:Lang.tier.more_pre ?> <?cs var:Tier.to_next ?> <?cs var:Lang.tier.to[Tier.next] ?><?cs else ?> <?cs var:Lang.tier.top ?><?cs /if ?></strong></p><?cs /if ?>
<a class="btn primary" id="topup" href="/m/pay"><?cs var:Lang.pay.topup ?></a>
</section>

<p class="links"><a href="/m/alerts" id="alerts-link"><?cs var:Lang.alerts.title ?></a> · <a href="/m/sessions" id="sessions-link"><?cs var:Lang.Sessions.title ?></a></p>

<h2><?cs var:Lang.page.meters ?></h2>
<?cs each:m = Meters ?>
<section class="card meter" id="meter-<?cs var:m.id ?>">
<p><?cs var:Lang.col.meter ?> <?cs var:m.number ?></p>
<p><?cs var:Lang.page.meter_money ?>: <strong class="m-money">¥<?cs var:m.money ?></strong></p>
<p><?cs var:Lang.page.relay ?>: <strong class="relay relay-<?cs var:m.relay ?>"><?cs var:Lang.relay[m.relay] ?></strong></p>
<p><?cs var:Lang.page.read_at ?>: <?cs if:m.read_at ?><?cs var:m.read_at ?><?cs else ?><?cs var:Lang.page.never_read ?><?cs /if ?><?cs if:m.lost == "1" ?> <span class="warn"><?cs var:Lang.page.lost ?></span><?cs /if ?></p>
</section>
<?cs /each ?>

<h2><?cs var:Lang.page.chart ?></h2>
<?cs if:subcount(Meters) > 1 ?>
<p class="choose"><a href="/m/"<?cs if:Form.meter == "0" ?> class="on"<?cs /if ?>><?cs var:Lang.page.all_meters ?></a><?cs each:m = Meters ?> <a href="/m/?meter=<?cs var:m.id ?>"<?cs if:Form.meter == m.id ?> class="on"<?cs /if ?>><?cs var:m.number ?></a><?cs /each ?></p>
<?cs /if ?>
<figure class="chart">
<svg viewBox="0 0 300 120" role="img" aria-labelledby="chart-title" width="100%">
<title id="chart-title"><?cs var:Lang.page.chart ?></title>
<?cs each:c = Chart ?><rect x="<?cs var:c.x ?>" y="<?cs var:c.y ?>" width="8" height="<?cs var:c.h ?>" class="bar<?cs if:!c.known ?> none<?cs /if ?>"><title><?cs var:c.day ?>: <?cs if:c.known ?><?cs var:c.kwh ?> <?cs var:Lang.page.kwh ?><?cs else ?><?cs var:Lang.page.no_data ?><?cs /if ?></title></rect><?cs /each ?>
<text x="0" y="116" class="axis"><?cs var:Chart.0.day ?></text>
<text x="300" y="116" class="axis" text-anchor="end"><?cs var:Chart.29.day ?></text>
</svg>
<figcaption><?cs var:Lang.page.chart_max ?> <?cs var:ChartMax ?> <?cs var:Lang.page.kwh ?></figcaption>
</figure>

<h2><?cs var:Lang.page.entries ?></h2>
<?cs if:subcount(Entries) == 0 ?><p class="note"><?cs var:Lang.page.no_entries ?></p><?cs /if ?>
<ul class="entries">
<?cs each:e = Entries ?><li id="entry-<?cs var:e.id ?>"><span class="when"><?cs var:e.at ?></span> <span class="kind"><?cs var:Lang.kind[e.kind] ?></span> <strong class="amount">¥<?cs var:e.amount ?></strong> <span class="state state-<?cs var:e.state ?>"><?cs var:Lang.state[e.state] ?></span></li>
<?cs /each ?></ul>

<h2><?cs var:Lang.page.alarms ?></h2>
<?cs if:subcount(Alarms) == 0 ?><p class="note" id="no-alarms"><?cs var:Lang.page.no_alarms ?></p><?cs /if ?>
<ul class="alarms">
<?cs each:a = Alarms ?><li class="alarm"><?cs var:Lang.alarm[a.kind] ?> · <?cs var:Lang.col.meter ?> <?cs var:a.meter ?> · <?cs var:a.opened ?></li>
<?cs /each ?></ul>
<?cs call:foot() ?>
