-- 017_login_throttle.sql - failed sign-ins by login and client address: a stranger's guesses lock only their own address.
CREATE TABLE login_failures (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  login VARCHAR(64) NOT NULL,
  client_addr VARCHAR(64) NOT NULL,
  at DATETIME NOT NULL,
  KEY (client_addr, at),
  KEY (login, client_addr, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
