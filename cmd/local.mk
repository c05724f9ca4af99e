# cmd/ — the command table shared by the command line, the TUI's `:`
# prompt and the tests: options, the exec functions, text and JSON output.
# Built without curses flags and linked by its unit test without curses,
# so a curses call here fails to build.
noinst_LIBRARIES += cmd/libcmd.a
cmd_libcmd_a_SOURCES = cmd/cmd.h cmd/cmd-priv.h cmd/table.c cmd/run.c \
	cmd/output.c cmd/vm.c cmd/images.c cmd/ova.c cmd/templates.c cmd/host.c cmd/hosts.c cmd/net.c \
	cmd/snapshot.c cmd/disk.c cmd/vdi.c
cmd_libcmd_a_CPPFLAGS = $(AM_CPPFLAGS) $(JSON_CFLAGS)

CMD_LIBS = cmd/libcmd.a $(VDI_LIBS) $(STORAGE_LIBS) $(CONSOLE_LIBS) $(TEMPLATES_LIBS) $(IMAGES_LIBS) $(CORE_LIBS)
