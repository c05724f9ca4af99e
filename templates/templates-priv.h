/*
 * templates-priv.h — internals shared by the files of templates/ and its
 * tests.  Other modules include templates.h only.
 */
#pragma once

#include "templates.h"

/* manifest.c: a fresh template named @name with its paths filled in. */
struct template *template_alloc(const char *name);

/* manifest.c: a new VM spec with @t's hardware and kernel (no name,
 * disk or identity).  Caller frees. */
struct vm_spec *tpl_vm_spec(const struct template *t);

/* template.c: runs qemu-img with @argv (after the program name); 0, or -1
 * with an error naming @what and qemu-img's message. */
int tpl_qemu_img(const char *const *argv, const char *what);
/* Removes @dir and everything under it (no symlink is followed). */
void tpl_rm_rf(const char *dir);
/* template.c: g_ptr_array_sort comparator of C strings. */
gint tpl_cmp_names(gconstpointer a, gconstpointer b);
/* qcow2.c: writes a new empty qcow2 v3 file at @path (which must not
 * exist) of @size bytes on the qcow2 image @backing, as `qemu-img create
 * -f qcow2 -F qcow2 -b BACKING PATH SIZE` would.  0 or -1 (nothing left). */
int tpl_qcow2_overlay(const char *path, const char *backing, uint64_t size);
