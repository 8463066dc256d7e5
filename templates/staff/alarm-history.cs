<?cs # alarm-history.cs - F30 alarm history: every episode, open or ended, with the filters and columns of the live alarms (alarms.cs). ?>
<?cs set:Mode.history = 1 ?>
<?cs include:"alarms.cs" ?>
