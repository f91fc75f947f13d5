/*
 * maint — the maintenance (drain) state, kept in <state-dir>/maintenance.json
 * so that a drain survives controller restarts.
 *
 * Contract: maint_save() writes {"active":..,"since":ms,"reason":".."}
 * atomically (temporary file, fsync, rename, fsync of the directory);
 * maint_save() of an inactive state removes the file.  maint_load() fills
 * *m (inactive when the file does not exist) and returns 0, or -1 with a
 * reason in err when the file exists but cannot be read or parsed; the
 * caller should then assume maintenance (the safe side) and say so.
 * drain_time_ms is not stored: it comes from the configuration.
 */
#ifndef RAIZ_CONTROLLER_MAINT_H
#define RAIZ_CONTROLLER_MAINT_H

#include <stddef.h>

#include "controller/policy.h"

int maint_load(const char *path, struct policy_maint *m, char *err, size_t errlen);
int maint_save(const char *path, const struct policy_maint *m, char *err, size_t errlen);

#endif
