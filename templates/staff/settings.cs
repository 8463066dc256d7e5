<?cs # settings.cs - F10 default parameters and the site's title and logo. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.page.settings) ?>
<form method="post" action="/settings" class="form">
<?cs call:csrf() ?>
<?cs call:text("site_title", Lang.page.site_title, "text") ?>
<?cs call:text("site_logo", Lang.page.site_logo, "text") ?><small class="hint"><?cs var:Lang.page.site_logo_hint ?></small>
<?cs call:text("power_threshold_w", Lang.page.power_threshold_w, "text") ?>
<?cs call:text("poll_interval_min", Lang.page.poll_interval_min, "text") ?>
<?cs call:text("alarm1_fen", Lang.page.alarm1_fen, "text") ?>
<?cs call:text("alarm2_fen", Lang.page.alarm2_fen, "text") ?>
<?cs call:text("price", Lang.page.price, "text") ?>
<?cs call:text("hoard_cap_fen", Lang.page.hoard_cap_fen, "text") ?>
<?cs call:text("alarm_sms_phone", Lang.page.alarm_sms_phone, "tel") ?>
<?cs call:text("lost_after_cycles", Lang.page.lost_after_cycles, "text") ?>
<?cs call:text("loss_alarm_pct", Lang.page.loss_alarm_pct, "text") ?>
<?cs call:text("retain_readings_days", Lang.page.retain_readings_days, "text") ?>
<?cs call:text("retain_closed_days", Lang.page.retain_closed_days, "text") ?>
<?cs call:text("retain_sms_days", Lang.page.retain_sms_days, "text") ?><small class="hint"><?cs var:Lang.page.retain_hint ?></small>
<?cs call:text("receipt_header", Lang.page.receipt_header, "text") ?>
<?cs call:text("receipt_footer", Lang.page.receipt_footer, "text") ?>
<?cs def:yesno(name, label) ?><label for="f-<?cs var:name ?>"><?cs var:label ?></label>
<select id="f-<?cs var:name ?>" name="<?cs var:name ?>"><option value="0"<?cs if:Form[name] != "1" ?> selected<?cs /if ?>><?cs var:Lang.page.no ?></option><option value="1"<?cs if:Form[name] == "1" ?> selected<?cs /if ?>><?cs var:Lang.page.yes ?></option></select><?cs call:err(name) ?><?cs /def ?>
<?cs call:yesno("approve_refund", Lang.page.approve_refund) ?>
<?cs call:yesno("approve_reversal", Lang.page.approve_reversal) ?>
<?cs call:yesno("approve_keep_power", Lang.page.approve_keep_power) ?>
<button type="submit"><?cs var:Lang.btn.save ?></button>
</form>
<?cs call:foot() ?>
