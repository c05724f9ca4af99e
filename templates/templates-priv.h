/*
 * templates-priv.h — internals shared by the files of templates/ and its
 * tests.  Other modules include templates.h only.
 */
#pragma once

#include "templates/templates.h"

/* manifest.c: a fresh template named @name with its paths filled in. */
struct template *template_alloc(const char *name);
/* manifest.c: template @name as template_load reads it, or, when its
 * manifest cannot be read or fails a check, with only its paths set and
 * ->broken saying why.  NULL with CORE_ERR_NOT_FOUND when it has no
 * folder.  Caller frees. */
struct template *tpl_load_any(const char *name);

/* manifest.c: a new VM spec with @t's hardware and kernel (no name,
 * disk or identity).  Caller frees. */
struct vm_spec *tpl_vm_spec(const struct template *t);

/* template.c: runs qemu-img with @argv (after the program name); 0, or -1
 * with an error naming @what and qemu-img's message. */
int tpl_qemu_img(const char *const *argv, const char *what);
/* Removes @dir and everything under it (no symlink is followed). */
void tpl_rm_rf(const char *dir);
/* qcow2.c: writes a new empty qcow2 v3 file at @path (which must not
 * exist) of @size bytes on the qcow2 image @backing, as `qemu-img create
 * -f qcow2 -F qcow2 -b BACKING PATH SIZE` would.  0 or -1 (nothing left). */
int tpl_qcow2_overlay(const char *path, const char *backing, uint64_t size);
/* seed.c: appends @s as a YAML double-quoted scalar: '"' and '\\'
 * escaped, every character such a scalar cannot carry as itself (not
 * c-printable, line breaks, NEL, U+2028, U+2029, the BOM, a tab) as
 * \uXXXX, a byte that is not UTF-8 as \uFFFD. */
void seed_yaml_str(GString *out, const char *s);
/* seed.c: NULL when @text parses as YAML (libyaml), else "line N: what
 * is wrong" (caller frees).  Only parsed, never loaded: aliases are not
 * expanded. */
char *seed_yaml_error(const char *text);
