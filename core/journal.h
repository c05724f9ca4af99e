/*
 * journal.h — what a run that makes large files has made, so that the next
 * vmtui removes what a killed run left.
 */
#pragma once

#include "core/error.h"

struct engine;

/* ---- journals of runs that make large files -----------------------------
 *
 * A run that makes files (an OVA import or export, an image import, a
 * provisioning run) records each one in its journal (DATA/journal/) after
 * creating it empty and before filling it; if the process dies, the next
 * vmtui removes them (journal_recover), except those of a VM the run got
 * defined. */

struct journal;
/* A journal for a run of @kind (an N_() phrase such as N_("ova import"),
 * translated in reports) that defines its VMs, if any, on the engine
 * @uri (NULL: it defines none).  Nothing is written before
 * journal_save.  Free with journal_end. */
struct journal *journal_new(const char *kind, const char *uri);
/* Records @path, a file or a folder of files the run made, to be removed
 * if the run dies, unless @uuid is non-NULL and the VM of that UUID got
 * defined on the journal's engine.  In memory until journal_save. */
void journal_add(struct journal *j, const char *uuid, const char *path);
/* Writes the journal as it stands, atomically and synced; 0, or -1 with
 * an error. */
int journal_save(struct journal *j);
/* The run is over and has removed or kept its files itself: removes the
 * journal and frees @j (may be NULL). */
void journal_end(struct journal *j);
DEFINE_AUTOPTR(journal, journal_end)
/* Removes what runs that died left, from every journal this vmtui can
 * handle: those of runs without an engine, and with @eng (may be NULL)
 * also those of runs on it, keeping the files of the VMs it has.
 * @report (caller frees, may be NULL) says what was removed and kept, or
 * is NULL when nothing was.  Returns the number of journals handled. */
int journal_recover(struct engine *eng, char **report);
