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
