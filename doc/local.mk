# doc/ — the manual page, installed and distributed, and HACKING.md.
dist_man_MANS += doc/vmtui.1
EXTRA_DIST += doc/HACKING.md
