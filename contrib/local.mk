# contrib/ — what vmtui installs for the shell: bash completion, which
# asks the installed program for its commands, options and VM names.
bashcompletiondir = $(BASH_COMPLETION_DIR)
dist_bashcompletion_DATA = contrib/vmtui.bash
# installed under the command's name, where bash-completion loads it from
install-data-hook: install-bash-completion
install-bash-completion:
	cd $(DESTDIR)$(bashcompletiondir) && mv -f vmtui.bash vmtui
uninstall-hook: uninstall-bash-completion
uninstall-bash-completion:
	rm -f $(DESTDIR)$(bashcompletiondir)/vmtui
.PHONY: install-bash-completion uninstall-bash-completion

# The broker: its PAM service (/etc/pam.d/vmtui) and a systemd unit.
pamdir = $(sysconfdir)/pam.d
dist_pam_DATA = contrib/vmtui.pam
systemdunitdir = $(prefix)/lib/systemd/system
systemdunit_DATA = contrib/vmtui-serve.service
EXTRA_DIST += contrib/vmtui-serve.service.in
CLEANFILES += contrib/vmtui-serve.service
contrib/vmtui-serve.service: $(srcdir)/contrib/vmtui-serve.service.in Makefile
	$(MKDIR_P) contrib
	sed -e 's|@bindir[@]|$(bindir)|g' $(srcdir)/contrib/vmtui-serve.service.in >$@
install-data-hook: install-pam-name
install-pam-name:
	cd $(DESTDIR)$(pamdir) && mv -f vmtui.pam vmtui
uninstall-hook: uninstall-pam-name
uninstall-pam-name:
	rm -f $(DESTDIR)$(pamdir)/vmtui
.PHONY: install-pam-name uninstall-pam-name
