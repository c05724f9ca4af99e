/*
 * main.c — vmtui's entry point: locale, global options, then one command
 * from the command table.  With no command, on a terminal, it starts the
 * full-screen interface.
 */
#include "config.h"

#include <execinfo.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "cmd/cmd.h"
#include "core/i18n.h"
#include "core/names.h"
#include "core/logs.h"
#include "net/net.h"
#include "tui/tui.h"

/* The build tree's catalogs (po/locale/LANG/LC_MESSAGES/vmtui.mo, laid
 * out by the build) when this program runs uninstalled from the build
 * folder, else NULL.  Caller frees. */
static char *build_tree_localedir(void)
{
	g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
	g_autofree char *top = NULL;
	char *dir;

	if (!exe)
		return NULL;
	top = g_path_get_dirname(exe);
	dir = g_build_filename(top, "po", "locale", NULL);
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		g_free(dir);
		return NULL;
	}
	return dir;
}

/* Binds the catalog: $VMTUI_LOCALEDIR if set, else the build tree's when
 * running from it, else the installed one (LOCALEDIR). */
static void setup_locale(void)
{
	const char *env = g_getenv("VMTUI_LOCALEDIR");
	g_autofree char *built = NULL;
	const char *dir = LOCALEDIR;

	if (env && *env)
		dir = env;
	else if ((built = build_tree_localedir()))
		dir = built;
	setlocale(LC_ALL, "");
	bindtextdomain(PACKAGE, dir);
	bind_textdomain_codeset(PACKAGE, "UTF-8");
	textdomain(PACKAGE);
}

/* Ends the process once everything is written and the engines are
 * closed, without running the libraries' destructors: the embedded
 * driver's threads may still be at work (a reconnect to a guest), and
 * libnuma's destructor under them was seen to crash the process at
 * exit (SIGSEGV, status 139). */
G_GNUC_NORETURN static void leave(int rc)
{
	fflush(NULL);
	_exit(rc);
}

/* A crash says where, on stderr, before the signal ends the process as
 * it would have (status 139 for SIGSEGV): the frames as module+offset,
 * which addr2line turns into lines for the same build, so a crash seen
 * once on another machine can be found.  Only async-signal-safe calls. */
static void crashed(int sig)
{
	static const char head[] = "\nvmtui crashed; please report this with the lines below:\n";
	void *frames[48];
	int n = backtrace(frames, G_N_ELEMENTS(frames));

	command_restore_terminal();
	if (write(STDERR_FILENO, head, sizeof head - 1) > 0)
		backtrace_symbols_fd(frames, n, STDERR_FILENO);
	signal(sig, SIG_DFL);
	raise(sig);
}

G_GNUC_UNUSED static void report_crashes(void)
{
	void *frame;

	/* backtrace() loads libgcc on first use: not in the handler */
	backtrace(&frame, 1);
	signal(SIGSEGV, crashed);
	signal(SIGBUS, crashed);
	signal(SIGABRT, crashed);
	signal(SIGFPE, crashed);
	signal(SIGILL, crashed);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "config", required_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *uri = NULL, *config = NULL, *timeout = NULL;
	autoptr(core_config) cfg = NULL;
	char *fallback[] = { (char *)"list", NULL };
	char *help[] = { (char *)"help", NULL };
	int c, rc;

#if !defined(__SANITIZE_ADDRESS__)
	report_crashes(); /* the sanitizers report their own */
#endif
	/* the serial log keeper this program starts for guests */
	if (argc >= 2 && strcmp(argv[1], LOGS_KEEPER_COMMAND) == 0)
		return logs_keeper_main(argc - 1, argv + 1);
	logs_keeper_enable();
	/* core sits below net/: every start of a VM, by any path of this
	 * program, brings its labs up and sets its port forwards up again,
	 * and the VM list takes guest addresses from net/ */
	net_install();
	setup_locale();
	/* the hub of a lab network without root, which vmtui starts */
	if (argc >= 2 && strcmp(argv[1], NET_HUB_COMMAND) == 0)
		return net_hub_main(argc - 1, argv + 1);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			uri = optarg;
			break;
		case 'f':
			config = optarg;
			break;
		case 't':
			timeout = optarg;
			break;
		case 'V':
			argv[optind - 1] = (char *)"version";
			optind--;
			goto run;
		case 'h':
			argv[optind - 1] = (char *)"help";
			optind--;
			goto run;
		default:
			cli_error(_("unknown or incomplete option %s; see vmtui help."),
				  argv[optind - 1]);
			return CORE_ERR_USAGE;
		}
	}
run:
	cfg = core_config_load(config);
	if (!cfg) {
		cli_error("%s", core_error_message());
		return core_error_code();
	}
	if (uri) {
		/* a host's name ("lab", "local") or a libvirt URI */
		g_free(cfg->uri);
		cfg->uri = NULL;
		if (core_config_host(cfg, uri, &cfg->uri, NULL) < 0) {
			cli_error("%s", core_error_message());
			return core_error_code();
		}
	}
	if (timeout) {
		long long t;

		if (!core_parse_int("--timeout", timeout, 1, CORE_TIMEOUT_MAX, &t)) {
			cli_error("%s", core_error_message());
			return CORE_ERR_USAGE;
		}
		cfg->op_timeout = (int)t;
	}
	if (optind < argc)
		leave(command_main(cfg, argc - optind, argv + optind));

	/* No command: the full-screen interface on a terminal; elsewhere
	 * (a pipe, a script) the VM list and the help. */
	if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
		leave(tui_main(cfg));
	rc = command_main(cfg, 1, fallback);
	if (rc == CORE_OK) {
		fputc('\n', stdout);
		rc = command_main(cfg, 1, help);
	}
	leave(rc);
}
