<?cs # reauth.cs - included in a form that changes something: the password asked again when a remembered sign-in is over 12 hours old (ASVS 3.3.2). ?>
<?cs if:Form.reauth ?><div class="reauth" id="reauth"><p class="warn"><?cs var:Lang.reauth.note ?></p>
<?cs call:pw("reauth", Lang.reauth.label, "current-password") ?></div><?cs /if ?>
