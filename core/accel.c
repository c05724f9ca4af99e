/*
 * accel.c — does KVM really work here?
 *
 * /dev/kvm existing proves little: on some nested hosts a guest hangs under
 * KVM.  The probe runs a tiny real-mode guest (write a byte to an I/O port,
 * then HLT) in a child process and waits at most two seconds for it.  A
 * child, not a thread, because a vCPU stuck in KVM_RUN can only be ended by
 * killing its process.  vmtui still never runs QEMU itself.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/engine.h"
#include "core/i18n.h"

#define PROBE_PORT 0x10
#define PROBE_VALUE 0x2a

enum probe_exit { PROBE_OK = 0, PROBE_SETUP = 10, PROBE_WRONG = 11, PROBE_RUN = 12 };

/* Runs in the child: only system calls from here on. */
static int probe_child(void)
{
	/* mov al, 0x2a; out 0x10, al; hlt */
	static const uint8_t code[] = { 0xb0, PROBE_VALUE, 0xe6, PROBE_PORT, 0xf4 };
	struct kvm_userspace_memory_region region = {
		.guest_phys_addr = 0x1000, .memory_size = 0x1000,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = 0x1000, .rflags = 2 };
	struct kvm_run *run;
	bool saw_io = false;
	uint8_t *mem;
	int kvm, vm, vcpu, size;

	alarm(2);
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0 || (vm = ioctl(kvm, KVM_CREATE_VM, 0)) < 0)
		return PROBE_SETUP;
	mem = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return PROBE_SETUP;
	memcpy(mem, code, sizeof code);
	region.userspace_addr = (uint64_t)(uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0 ||
	    (vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0 ||
	    (size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0)) <= 0)
		return PROBE_SETUP;
	run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED || ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		return PROBE_SETUP;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0 ||
	    ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		return PROBE_SETUP;
	for (int i = 0; i < 4; i++) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			return PROBE_RUN;
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == PROBE_PORT &&
		    ((uint8_t *)run)[run->io.data_offset] == PROBE_VALUE)
			saw_io = true;
		else if (run->exit_reason == KVM_EXIT_HLT)
			return saw_io ? PROBE_OK : PROBE_WRONG;
		else
			return PROBE_WRONG;
	}
	return PROBE_WRONG;
}

static void run_probe(struct kvm_probe *p)
{
	gint64 deadline;
	pid_t pid;
	int status = 0, fd;

	p->dev_present = access("/dev/kvm", F_OK) == 0;
	if (!p->dev_present) {
		g_snprintf(p->detail, sizeof p->detail,
			   _("/dev/kvm does not exist (no KVM module, or no hardware virtualization)"));
		return;
	}
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	p->dev_usable = fd >= 0;
	if (fd < 0) {
		g_snprintf(p->detail, sizeof p->detail,
			   _("/dev/kvm cannot be opened: %s (add yourself to the kvm group)"),
			   g_strerror(errno));
		return;
	}
	close(fd);
	pid = fork();
	if (pid < 0) {
		g_snprintf(p->detail, sizeof p->detail, "fork: %s", g_strerror(errno));
		return;
	}
	if (pid == 0)
		_exit(probe_child());
	deadline = g_get_monotonic_time() + 2500 * 1000;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (g_get_monotonic_time() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			g_snprintf(p->detail, sizeof p->detail,
				   _("a test guest hung under KVM (nested virtualization that does not work)"));
			return;
		}
		g_usleep(10 * 1000);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == PROBE_OK) {
		p->runs_guest = true;
		g_snprintf(p->detail, sizeof p->detail, _("a test guest ran under KVM"));
	} else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
		g_snprintf(p->detail, sizeof p->detail,
			   _("a test guest hung under KVM (nested virtualization that does not work)"));
	} else {
		g_snprintf(p->detail, sizeof p->detail,
			   _("a test guest failed under KVM (probe status %d)"),
			   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
}

const struct kvm_probe *kvm_probe(void)
{
	static struct kvm_probe result;
	static gsize done;

	if (g_once_init_enter(&done)) {
		run_probe(&result);
		g_once_init_leave(&done, 1);
	}
	return &result;
}
