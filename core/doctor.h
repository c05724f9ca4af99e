/*
 * doctor.h — the host checks of `vmtui doctor`.
 */
#pragma once

#include "core/error.h"

struct core_config;

/* ---- host checks ------------------------------------------------------- */

enum check_status { CHECK_OK, CHECK_WARN, CHECK_FAIL };
struct check {
	enum check_status status;
	char *title;  /* what was checked */
	char *detail; /* what was found and, if not OK, what to do */
};
/* Runs the host checks for @cfg (opens no engine that is locked).  Returns
 * an array of struct check (free with g_ptr_array_unref). */
GPtrArray *doctor_run(const struct core_config *cfg);
