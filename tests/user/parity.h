// parity.h: helpers for the parity test programs (t_*.c).
//
// Each program runs twice: on the host Linux, as an ordinary process with its current
// directory in tests/user/rootfs, and on Lantern, as init with the same files in its
// initramfs. The two outputs must be identical, so the programs print only what is the
// same on both: results, error names and relations ("getpid > 0: yes"), never pids,
// addresses or times. The last line is "done".
#pragma once

// Call first: makes stdout line-buffered, so output written straight to fd 1 and through
// printf comes out in program order, whatever fd 1 is.
void begin(const char *program);
// Print "done" and return 0, for main to return.
int done(void);

// "what: ok", or "what: error ENOENT" if ret < 0 (read errno before anything else can
// change it: call as check("...", f(...))).
void check(const char *what, long ret);
// The same, but print the value: "what: 17".
void check_val(const char *what, long ret);
// "what: yes" or "what: no".
void yes(const char *what, int cond);
// The name of an error number: "ENOENT", or "E<n>" for one the C library does not name.
const char *err_name(int e);
// s, with newlines and other control characters shown as \n, \xNN.
void print_escaped(const char *label, const char *s, long n);
