<?cs # privacy.cs - 8.3.3 the notice on personal data (个人信息处理说明) and, for a signed-in account that has not agreed, the agreement asked before anything else. ?>
<?cs include:"layout.cs" ?>
<?cs call:head(Lang.privacy.title) ?>
<?cs if:Me.signed && !Privacy.agreed ?><p class="warn" id="first"><?cs var:Lang.privacy.first ?></p><?cs /if ?>
<div class="notice" id="notice">
<p><?cs var:Lang.privacy.intro ?></p>
<h2><?cs var:Lang.privacy.kept_h ?></h2>
<p><?cs var:Lang.privacy.kept ?></p>
<h2><?cs var:Lang.privacy.why_h ?></h2>
<p><?cs var:Lang.privacy.why ?></p>
<h2><?cs var:Lang.privacy.time_h ?></h2>
<p><?cs var:Lang.privacy.time ?></p>
<h2><?cs var:Lang.privacy.who_h ?></h2>
<p><?cs var:Lang.privacy.who ?></p>
<h2><?cs var:Lang.privacy.copy_h ?></h2>
<p><?cs var:Lang.privacy.copy ?></p>
</div>
<?cs if:Me.signed ?>
<?cs if:Privacy.agreed ?>
<p class="ok" id="agreed"><?cs var:Lang.privacy.agreed ?> <?cs var:Privacy.agreed ?></p>
<p><a href="/m/export" id="export-link"><?cs var:Lang.privacy.download ?></a></p>
<p><a href="/m/"><?cs var:Lang.btn.back ?></a></p>
<?cs else ?>
<form method="post" action="/m/privacy/agree" class="form">
<input type="hidden" name="csrf" value="<?cs var:Me.csrf ?>">
<label class="check"><input type="checkbox" id="f-agree" name="agree" value="1"<?cs if:Form.err.agree ?> aria-invalid="true"<?cs /if ?>> <?cs var:Lang.privacy.agree ?></label>
<?cs call:err("agree") ?>
<button type="submit" class="btn primary"><?cs var:Lang.privacy.agree_btn ?></button>
</form>
<?cs /if ?>
<?cs else ?>
<p><a href="/m/login" id="to-login"><?cs var:Lang.privacy.to_login ?></a></p>
<?cs /if ?>
<?cs call:foot() ?>
