# vmtui-core-dir.m4 — configure never tries to remove a file named "core".
#
# Autoconf's and Automake's checks clean up after themselves with
# "rm -f core ...", meant for a core dump of a test program.  vmtui has a
# source folder named core/: each such rm failed ("Is a directory"), and
# in configure's exit trap the failure stopped the cleanup that follows
# it, so confdefs.h stayed behind.  No core dump can be written under a
# name a folder already holds, so the name is dropped from those commands
# ("*.core" and "core.conftest.*" are still removed).  "rm -r" would be
# wrong: it would delete the sources.
#
# configure.ac includes this file before AC_INIT, which expands the first
# of these macros.

# VMTUI_DROP_RM_CORE(MACRO): MACRO's definition without "rm -f core ".
m4_define([VMTUI_DROP_RM_CORE],
[m4_ifdef([$1], [m4_define([$1],
  m4_bpatsubst(m4_dquote(m4_defn([$1])), [rm -f core ], [rm -f ]))])])

m4_map_args([VMTUI_DROP_RM_CORE], [_AC_INIT_PREPARE], [_AC_COMPILE_IFELSE],
  [_AC_LINK_IFELSE], [_AC_RUN_IFELSE], [_AM_PROG_CC_C_O])
