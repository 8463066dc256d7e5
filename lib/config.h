/* config.h - the "key = value" configuration file shared by all programs. */
#ifndef CONFIG_H
#define CONFIG_H

struct config;

/* Reads FILE; returns a new config (free with config_free) or NULL, errno set. */
struct config *config_load(const char *file);
void config_free(struct config *);
/* Returns the value of KEY, borrowed from the config, or DEF when absent. */
const char *config_get(const struct config *, const char *key, const char *def);
/* Returns KEY as an integer, or DEF when absent or not a number. */
long config_int(const struct config *, const char *key, long def);

#endif
