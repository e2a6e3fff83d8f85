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
// It runs when a reference to a socket's file goes and leaves the file held only in flight
// - and only if that socket is on a cycle of such sockets (on_a_cycle: garbage can appear
// no other way) - and, as a backstop, at every socket's release while anything is in
// flight (socket.c's sock_release, as Linux's unix_release_sock): the first look can be
// made just before a send on another CPU completes the cycle. Closing a socket drops what
// its ring holds, and so lets go of such references itself. Locking: everything here, and every change of `inflight`, is under
// the BKL.
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
    __atomic_store_n(&s->inflight, s->inflight + delta, __ATOMIC_RELEASE);   // (file_put)
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

// Step 2's visit of the sockets a candidate's queue holds.
static void not_from_outside(void *arg, struct sock *t) {
    (void)arg;
    if (t->gc_candidate)
        t->gc_refs--;
}

// Step 3's: what an alive candidate holds is alive, and is walked in its turn (`work`, a
// stack through gc_next: each candidate is walked once).
static void keep_alive(void *arg, struct sock *t) {
    struct sock **work = arg;
    if (t->gc_candidate && !t->gc_alive) {
        t->gc_alive = true;
        t->gc_next = *work;
        *work = t;
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
    struct sock *work = NULL;
    for (struct sock *s = in_flight; s; s = s->next_inflight)
        if (s->gc_candidate && s->gc_refs > 0)
            keep_alive(&work, s);
    while (work) {
        struct sock *s = work;
        work = s->gc_next;
        sock_each_held(s, keep_alive, &work);
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

// Can s, just become held only in flight, be garbage now? Only on a cycle: before, what is
// garbage now was kept alive from s alone, so s reaches all of it, and something in it
// holds s. So look for a way from s back to itself through sockets held only in flight -
// usually a step or two - before walking everything (sock_gc).
struct cycle_walk {
    struct sock *from, *work;
    unsigned epoch;
    bool found;
};

static void towards(void *arg, struct sock *t) {
    struct cycle_walk *w = arg;
    if (t == w->from)
        w->found = true;
    else if (t->gc_epoch != w->epoch && only_in_flight(t)) {
        t->gc_epoch = w->epoch;
        t->gc_next = w->work;
        w->work = t;
    }
}

static bool on_a_cycle(struct sock *s) {
    static unsigned epoch;
    struct cycle_walk w = { s, s, ++epoch, false };
    s->gc_epoch = w.epoch;
    s->gc_next = NULL;
    while (w.work && !w.found) {
        struct sock *t = w.work;
        w.work = t->gc_next;
        sock_each_held(t, towards, &w);
    }
    return w.found;
}

// Is the socket's file held by a message in flight? Read without the BKL (file_put).
bool sock_file_in_flight(struct file *f) {
    struct sock *s = f->priv;
    return __atomic_load_n(&s->inflight, __ATOMIC_ACQUIRE) != 0;
}

// A reference to a socket's file went (file.c), the file still open: it may be held only
// in flight now, and be garbage with what it holds.
void sock_file_unref(struct file *f) {
    struct sock *s = f->priv;
    if (s->inflight && only_in_flight(s) && !collecting && on_a_cycle(s))
        sock_gc();
}
