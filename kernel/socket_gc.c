// socket_gc.c: collecting sockets that only ancillary data in flight keeps alive.
//
// A socket's descriptor can be sent through a socket (SCM_RIGHTS) - through itself, even.
// Once every descriptor of its file is closed, what holds the file is the message in a
// ring: if that ring is the socket's own, or another's that is held the same way, nothing
// outside can ever receive it, and the sockets would stay for good. Linux's unix_gc finds
// them; this is the same idea, in a simpler form:
//
//   1. Candidates: the sockets in flight (their files held by ancillary data) whose every
//      file reference is such a hold (file refs == inflight).
//   2. Each candidate's holds that come from a candidate's own queue are taken off its
//      count; a candidate with holds left is reachable from outside: alive.
//   3. Whatever an alive candidate's queue holds is alive too (repeated until no change).
//   4. The rest is garbage: their queues are emptied - the descriptors in them closed -
//      which closes the sockets themselves.
//
// A socket's queue here is its ring's messages and its stream marks (socket.c), and for a
// listener, those of the connections waiting for accept.
//
// It runs when a socket is closed, or a descriptor of one is let go, while any socket is in
// flight. Locking: everything here, and every change of `inflight`, is under the BKL.
#include <stdbool.h>
#include <stdint.h>
#include "file.h"
#include "panic.h"
#include "sock.h"
#include "smp.h"

static struct sock *in_flight;        // sockets with inflight > 0 (BKL)
static bool collecting;               // sock_gc is running: the closes it makes wait

void sock_inflight(struct sock *s, int delta) {
    if (!bkl_held())
        panic("sock_inflight: the BKL is not held");
    bool was = s->inflight > 0;
    s->inflight += delta;
    if (s->inflight < 0)
        panic("sock_inflight: a socket's count of holds in flight went below 0");
    if (!was && s->inflight > 0) {
        s->next_inflight = in_flight;
        in_flight = s;
    } else if (was && s->inflight == 0) {
        for (struct sock **link = &in_flight; *link; link = &(*link)->next_inflight)
            if (*link == s) {
                *link = s->next_inflight;
                break;
            }
    }
}

static bool only_in_flight(struct sock *s) {
    return s->file && __atomic_load_n(&s->file->refs, __ATOMIC_ACQUIRE) == s->inflight;
}

// Step 2's and 3's visits of the sockets a candidate's queue holds.
static void not_from_outside(void *arg, struct sock *t) {
    (void)arg;
    if (t->gc_candidate)
        t->gc_refs--;
}

static void keep_alive(void *arg, struct sock *t) {
    if (t->gc_candidate && !t->gc_alive) {
        t->gc_alive = true;
        *(bool *)arg = true;
    }
}

void sock_gc(void) {
    if (collecting || !in_flight)
        return;
    collecting = true;
    for (struct sock *s = in_flight; s; s = s->next_inflight) {
        s->gc_candidate = only_in_flight(s);
        s->gc_refs = s->inflight;
        s->gc_alive = false;
    }
    for (struct sock *s = in_flight; s; s = s->next_inflight)
        if (s->gc_candidate)
            sock_each_held(s, not_from_outside, NULL);
    for (struct sock *s = in_flight; s; s = s->next_inflight)
        s->gc_alive = s->gc_candidate && s->gc_refs > 0;
    for (bool changed = true; changed;) {
        changed = false;
        for (struct sock *s = in_flight; s; s = s->next_inflight)
            if (s->gc_candidate && s->gc_alive)
                sock_each_held(s, keep_alive, &changed);
    }
    // The garbage, counted so that the closes its emptying makes free none of it under us.
    struct sock *garbage = NULL;
    for (struct sock *s = in_flight; s; s = s->next_inflight)
        if (s->gc_candidate && !s->gc_alive) {
            sock_get(s);
            s->gc_next = garbage;
            garbage = s;
        }
    for (struct sock *s = garbage; s; s = s->gc_next)
        sock_drop_held(s);
    while (garbage) {
        struct sock *next = garbage->gc_next;
        sock_put(garbage);
        garbage = next;
    }
    collecting = false;
}

// A descriptor of a socket's file was let go (file.c), the file still open: it may be held
// only in flight now.
void sock_file_unref(struct file *f) {
    struct sock *s = f->priv;
    if (s->inflight && only_in_flight(s))
        sock_gc();
}
