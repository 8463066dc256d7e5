<?cs # error.cs - pay.fcgi's only page: an error for anything but a gateway's notice. ?>
<!DOCTYPE html>
<html lang="<?cs var:Page.lang ?>">
<head><meta charset="utf-8"><title><?cs var:Error.status ?></title></head>
<body><p><?cs var:Error.message ?></p></body>
</html>
