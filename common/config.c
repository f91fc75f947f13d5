/* config — see config.h.  Reads the file, then hands the tree to the
 * section parsers (cfgutil.h) in a fixed order. */
#include "common/config.h"
#include "common/cfgutil.h"
#include "common/json.h"
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG_MAX_SIZE (16u << 20)

static const char *const config_top_keys[] = {
	"node", "dnsd", "zones", "tsig-keys", "controller", "bird",
	"prefixes", "services", "probes", NULL,
};

int config_node_parse(struct cfg_ctx *c, json_object *root, struct raiz_config *cfg)
{
	static const char *const keys[] = {
		"identity", "log-level", "syslog", "run-dir", "state-dir", NULL,
	};
	json_object *node;
	if (cfg_get_object(c, root, "node", true, &node) < 0 ||
	    cfg_check_keys(c, node, "\"node\"", keys) < 0)
		return -1;
	struct cfg_node *n = &cfg->node;
	char *level = NULL;
	cfg_get_string(c, node, "identity", true, NULL, &n->identity);
	if (!c->failed && (!n->identity[0] || strlen(n->identity) > 255))
		return cfg_fail(c, cfg_member(node, "identity"),
				"\"identity\" must be 1 to 255 characters");
	cfg_get_string(c, node, "log-level", false, "info", &level);
	if (!c->failed) {
		n->log_level = log_level_parse(level);
		if (n->log_level < 0)
			cfg_fail(c, cfg_member(node, "log-level"),
				 "\"log-level\" must be one of err, warning, notice, info, debug");
	}
	free(level);
	cfg_get_bool(c, node, "syslog", false, false, &n->syslog);
	cfg_get_path(c, node, "run-dir", false, "/run/raiz", &n->run_dir);
	cfg_get_path(c, node, "state-dir", false, "/var/lib/raiz", &n->state_dir);
	return c->failed ? -1 : 0;
}

static char *config_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

int config_load_string(const char *name, const char *text, struct raiz_config **out,
		       char *err, size_t errlen)
{
	*out = NULL;
	char perr[200];
	int line = 0;
	json_object *root = json_parse_lines(text, strlen(text), perr, sizeof perr, &line);
	if (!root) {
		snprintf(err, errlen, "%s:%d: %s", name, line, perr);
		return -1;
	}
	struct raiz_config *cfg = calloc(1, sizeof *cfg);
	if (!cfg) {
		json_object_put(root);
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	cfg->path = strdup(name);
	cfg->dir = config_dirname(name);
	struct cfg_ctx c = { .file = name, .dir = cfg->dir, .err = err, .errlen = errlen };
	if (!json_object_is_type(root, json_type_object))
		cfg_fail(&c, root, "the top level must be an object");
	cfg_check_keys(&c, root, "the top level", config_top_keys);
	if (!c.failed)
		config_node_parse(&c, root, cfg);
	if (!c.failed)
		config_dnsd_parse(&c, root, cfg);
	if (!c.failed)
		config_probe_parse(&c, root, cfg);
	if (!c.failed)
		config_ctl_parse(&c, root, cfg);
	json_object_put(root);
	if (c.failed) {
		config_free(cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

int config_load(const char *path, struct raiz_config **out, char *err, size_t errlen)
{
	*out = NULL;
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	char *buf = malloc(CONFIG_MAX_SIZE + 1);
	size_t n = buf ? fread(buf, 1, CONFIG_MAX_SIZE + 1, f) : 0;
	int rerr = ferror(f);
	fclose(f);
	if (!buf || rerr) {
		free(buf);
		snprintf(err, errlen, "%s: cannot read", path);
		return -1;
	}
	if (n > CONFIG_MAX_SIZE) {
		free(buf);
		snprintf(err, errlen, "%s: larger than %u bytes", path, CONFIG_MAX_SIZE);
		return -1;
	}
	if (memchr(buf, '\0', n)) {
		free(buf);
		snprintf(err, errlen, "%s: contains a NUL byte (not a text file?)", path);
		return -1;
	}
	buf[n] = '\0';
	int r = config_load_string(path, buf, out, err, errlen);
	free(buf);
	return r;
}

void config_free(struct raiz_config *cfg)
{
	if (!cfg)
		return;
	config_ctl_free(cfg);
	config_probe_free(cfg);
	config_dnsd_free(cfg);
	free(cfg->node.identity);
	free(cfg->node.run_dir);
	free(cfg->node.state_dir);
	free(cfg->path);
	free(cfg->dir);
	free(cfg);
}

const struct cfg_zone *config_zone(const struct raiz_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nzones; i++)
		if (strcasecmp(cfg->zones[i].name, name) == 0)
			return &cfg->zones[i];
	return NULL;
}

const struct cfg_tsig *config_tsig(const struct raiz_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->ntsig; i++)
		if (strcasecmp(cfg->tsig[i].name, name) == 0)
			return &cfg->tsig[i];
	return NULL;
}
