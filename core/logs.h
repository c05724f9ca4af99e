/*
 * logs.h — the logs guests write to on the host: kept bounded by a keeper
 * process, opened safely for reading.
 */
#pragma once

#include "core/error.h"

struct engine;

/* ---- guests' logs ---------------------------------------------------------
 *
 * The serial log of a VM of the embedded engine (DATA/logs/UUID-serial.log)
 * and QEMU's own log (ROOT/log/qemu/NAME.log) grow with what the guest
 * prints.  A keeper process (vmtui LOGS_KEEPER_COMMAND) keeps each under
 * [console] log-size while any guest of the engine runs, with or without
 * a vmtui running, by cutting the oldest output off. */

#define LOGS_KEEPER_COMMAND "__keep-logs"
/* DATA/logs; caller frees. */
char *logs_dir(void);
/* Lets logs_keeper_ensure start keepers: only the vmtui program, which
 * runs logs_keeper_main for LOGS_KEEPER_COMMAND, calls it. */
void logs_keeper_enable(void);
/* Starts the keeper for @eng's guests unless one runs or no guest does
 * (nothing for other engines).  0, or -1 with an error (the guests are
 * not affected). */
int logs_keeper_ensure(struct engine *eng);
/* The keeper: `vmtui LOGS_KEEPER_COMMAND LOGDIR ROOT BYTES` (@argv[0] is
 * the command).  Returns when no guest of ROOT has run for a while. */
int logs_keeper_main(int argc, char **argv);
/* Cuts the oldest output off the log open on @fd when it takes more than
 * @cap bytes on disk, keeping about the newest half: collapsing the
 * range, else punching a hole, else emptying it.  1 when it cut, 0 when
 * it was small enough, -1 on error. */
int logs_trim(int fd, uint64_t cap);
/* Opens the serial log @path for reading: only a regular file (no
 * symbolic link, FIFO or device; never waits), only in DATA/logs or one
 * of @folders (NULL-terminated, may be NULL: [console] log-folders).  The
 * descriptor, or -1 with an error saying why. */
int serial_log_open(const char *path, char *const *folders);
