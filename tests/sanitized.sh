#!/bin/sh
# The hardening tests again with vmtui built with AddressSanitizer and
# UBSan: what reaches the terminal (escapes.sh), the serial log's cap and
# its keeper (serial-log.sh), the range checks of options (bad-input.sh)
# and the size checks of files read whole (file-sizes.sh).  The sanitized
# build is made from this tree's distribution files in tests/asan/ (as
# `make sanitize` does for more of the suite); a memory error aborts the
# program, which fails the case it happened in, and any sanitizer report
# fails this test.
. "${top_srcdir:-.}/tests/lib.sh"

TESTS_UNDER_ASAN="escapes.sh serial-log.sh bad-input.sh file-sizes.sh"
cd "$top_builddir" || exit 1
# a build of its own: nothing of the make that runs this test (its TESTS=)
# may reach the makes below
unset MAKEFLAGS MFLAGS MAKELEVEL TESTS
rm -rf tests/asan
mkdir -p tests/asan
if ! make -s distdir distdir=tests/asan/src >"$T/dist.log" 2>&1; then
	echo "Bail out! make distdir failed: $(tail -n 3 "$T/dist.log")"
	exit 1
fi
if ! (cd tests/asan/src && ./configure -q --enable-sanitizers &&
      make -s -j"$(nproc)" && make -s -j"$(nproc)" check TESTS=) >"$T/build.log" 2>&1; then
	echo "Bail out! the sanitized build failed: $(tail -n 5 "$T/build.log")"
	exit 1
fi
ok "vmtui builds with AddressSanitizer and UBSan"
src="$top_builddir/tests/asan/src"
check "  ... and it is instrumented" sh -c "nm -D '$src/vmtui' 2>/dev/null | grep -q __asan_init || nm '$src/vmtui' | grep -q __asan"

# LeakSanitizer is off: libvirt's own allocations at exit are not ours
# to judge (valgrind's target checks our unit tests for leaks)
# Reports go to files of their own, which outlive the test's clean-up.
mkdir -p "$T/reports"
for t in $TESTS_UNDER_ASAN; do
	export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:log_path=$T/reports/$t"
	export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$T/reports/$t"
	VMTUI="$src/vmtui" top_builddir="$src" top_srcdir="$src" srcdir="$src/tests" \
		sh "$src/tests/$t" >"$T/$t.out" 2>&1
	status=$?
	# each case of the test, under its own name
	while IFS= read -r line; do
		case $line in
		"ok "*) ok "asan $t: ${line#ok * - }" ;;
		"not ok "*) not_ok "asan $t: ${line#not ok * - }" ;;
		"Bail out!"*) not_ok "asan $t: $line" ;;
		esac
	done <"$T/$t.out"
	check "asan $t exits 0" [ "$status" -eq 0 ]
	if ls "$T/reports/$t".* >/dev/null 2>&1; then
		not_ok "asan $t: no sanitizer report"
		diag "$(cat "$T/reports/$t".* | head -n 40)"
	else
		ok "asan $t: no sanitizer report"
	fi
done
done_testing
