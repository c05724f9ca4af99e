/*
 * users.h — who uses a file VMs share (a template's base, an image of the
 * store), on every engine.
 */
#pragma once

#include "core/error.h"

struct engine;

/* ---- files VMs share -----------------------------------------------------
 *
 * A file vmtui keeps for VMs to share (an image of the store, a
 * template's base) has a folder of user records beside it, FILE.users/,
 * made by its owner: vm_create records there each VM that uses the file,
 * as its disk or as its disk's backing file (the engine's URI, the VM's
 * name and its disk, under the VM's UUID), vm_delete removes the record.
 * So VMs of other engines (another embedded root, qemu:///session) are
 * counted too.  Local engines only: the paths are this machine's. */

struct file_user {
	char *uri;   /* the engine the VM is defined on */
	char *name;
	char *uuid;
	bool here;   /* on the engine file_users asked */
};
void file_user_free(struct file_user *u);

/* Starts recording the users of @file (makes its folder; nothing when it
 * exists).  0, or -1 with an error. */
int file_users_track(const char *file);
/* Removes @file's records and their folder, once the file goes. */
void file_users_untrack(const char *file);
/* The users of each of the @n @files: the VMs of @eng that use it,
 * recorded or not, then the VMs recorded on other engines whose disk
 * still exists.  A record of a VM of @eng that is gone or no longer uses
 * the file, of a disk that is gone, or that cannot be read is dropped.
 * Sets @users[i] to a GPtrArray of struct file_user (caller unrefs),
 * @eng's first, then by engine and name.  0, or -1 with an error when
 * @eng's VMs cannot be listed.  Blocking. */
int file_users(struct engine *eng, const char *const *files, guint n, GPtrArray **users);
/* @users (struct file_user, as file_users sorts them) for a message,
 * naming each one's engine: "lab-1, lab-2 on URI; lab-01 on
 * qemu:///session".  Caller frees. */
char *file_users_text(const GPtrArray *users);
