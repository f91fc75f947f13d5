/*
 * fuzz_config — the raiz.json loader, config_load_string() (common/config.h):
 * common/json.c, cfgutil.c and every section parser (config_dnsd.c,
 * config_probe.c, config_ctl.c), on arbitrary text.
 *
 * Input: the file's text (up to the first NUL byte, as config_load()
 * refuses a file holding one).  Paths in it resolve against ".", the
 * directory of the name "fuzz.json": a "secret-file" may be read, nothing
 * is written.
 * Oracle: the sanitizers (no crash, no leak of a refused or a freed
 * configuration), and a refusal always says where: "fuzz.json:LINE: reason"
 * with LINE >= 1 (only "out of memory" may come without a line).
 */
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "fuzz/fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_log();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[1024];
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	struct raiz_config *cfg = NULL;
	int rc = config_load_string("fuzz.json", text, &cfg, err, sizeof err);
	free(text);
	if (rc == 0) {
		if (!cfg)
			abort();
		log_debug("fuzz_config: accepted: %zu zones, %zu probes", cfg->nzones,
			  cfg->ctl.nprobes);
		config_free(cfg);
		return 0;
	}
	if (cfg)
		abort();
	int line = 0, n = 0;
	if (strstr(err, "out of memory"))
		return 0;
	if (sscanf(err, "fuzz.json:%d: %n", &line, &n) != 1 || line < 1 || n == 0) {
		fprintf(stderr, "fuzz_config: a refusal without file:line: %s\n", err);
		abort();
	}
	log_debug("fuzz_config: %s", err);
	return 0;
}
