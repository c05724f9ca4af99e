# doc/ — the manual page, installed and distributed.
dist_man_MANS += doc/vmtui.1
