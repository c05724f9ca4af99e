/*
 * core-priv.h — internals shared between core's own files and its unit
 * tests.  Other modules include core's public headers (core/engine.h, core/vm.h, ...) only.
 */
#pragma once

#include "core/error.h"
#include "core/vm.h"
#include "core/run.h"

/* account.c: answer lookups of the QEMU driver's default account. */
void account_fallback_enable(bool on);

/* engine.c: the embedded driver's qemu.conf for this user; caller frees. */
char *engine_qemu_conf(void);
/* Longest embedded root whose QEMU socket paths still fit sun_path. */
#define ENGINE_ROOT_MAX 50
/* Checks an embedded root path (absolute, short enough); 0 or -1. */
int engine_check_root(const char *root);

/* domxml.c: returns @xml with the domain type set to @type ("kvm" or
 * "qemu") and the CPU model fitting it; caller frees. */
char *domxml_set_type(const char *xml, const char *type);
/* domxml.c: returns @xml with its boot order replaced by @boot: every
 * device's <boot order> and every <os><boot> removed, then one <os><boot
 * dev=…> per device of @boot.  Caller frees; NULL with an error. */
char *domxml_set_boot(const char *xml, const struct vm_boot *boot);

/* engine.c */
const char *engine_pool(struct engine *eng);

/* disk.c (disk_create, disk_remove: core/vm.h) */
/* 0 when @path is a readable file, else -1 naming @what ("ISO image"). */
int file_check_readable(const char *what, const char *path);
/* run.c: core_run_status for qemu-img (@argv without the program). */
char *qemu_img_run(const char *const *argv, const char *what,
		   const struct run_opts *o, int *status, GString *err);
/* users.c: writes the records of the files @spec's disks use that are
 * tracked (vm_create, before it defines the VM).  0, or -1 with an error
 * and none left. */
int users_record(struct engine *eng, const struct vm_spec *spec);
/* users.c: removes them (vm_delete, and vm_create when it fails). */
void users_forget(const struct vm_spec *spec);
