// goinit: a Go program as process 1 - the seed scenario, "the Linux kernel is just a
// program": any static Linux binary can be init, even one whose runtime starts threads
// (clone with CLONE_THREAD), parks them on futexes, handles every signal on an alternate
// stack and turns a SIGSEGV into a panic that can be recovered.
//
// Booted with rdinit=/bin/goinit it says hello, mounts /proc and /dev, runs goroutines,
// a child process, a signal, a recovered nil dereference, sleeps and timers, reaps its
// children and powers the machine off (or restarts it, given the word "reboot" on the
// kernel command line). Every line it prints is
// the same on every run and on Linux (tests/system/oracle/goinit.txt), so it has no
// times, addresses, or pids other than its own (1). With the argument "bench" it prints
// its first line and exits: user/bench_threads.c times that. With "spin LOOPS" it prints
// its first line, runs a CPU-bound loop in GOMAXPROCS goroutines at once, prints their
// result and exits: bench_threads's go_cpu row times that.
//
// Run on Linux as an ordinary program (pid not 1) it does the same, then exits.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
)

func say(format string, args ...any) {
	fmt.Printf("goinit: "+format+"\n", args...)
}

// errText names the outcome of a system call the way the tests compare it.
func errText(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

func mounts() {
	os.Mkdir("/proc", 0755) // may exist already; mount says what matters
	say("mount proc on /proc: %s", errText(syscall.Mount("proc", "/proc", "proc", 0, "")))
	if b, err := os.ReadFile("/proc/self/stat"); err == nil {
		var pid int
		fmt.Sscanf(string(b), "%d", &pid)
		say("/proc/self/stat says pid %d", pid)
	} else {
		say("/proc/self/stat: %v", err)
	}

	// Linux leaves /dev of an initramfs to init; a kernel that mounts devtmpfs there
	// itself (CONFIG_DEVTMPFS_MOUNT does, for a disk root) answers EBUSY: just as good.
	os.Mkdir("/dev", 0755)
	err := syscall.Mount("devtmpfs", "/dev", "devtmpfs", 0, "")
	if err == nil || err == syscall.EBUSY {
		say("devtmpfs on /dev: ready")
	} else {
		say("mount devtmpfs on /dev: %v", err)
	}
	fi, err := os.Stat("/dev/null")
	if err != nil {
		say("/dev/null: %v", err)
	} else {
		say("/dev/null is a character device: %v", fi.Mode()&os.ModeCharDevice != 0)
	}
}

// service: a ticker goroutine and a pool of workers squaring numbers from a channel,
// with the results summed by a collector. Only main prints, so the order is fixed.
func service() {
	say("GOMAXPROCS=%d", runtime.GOMAXPROCS(0))
	ticks := make(chan int)
	go func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		n := 0
		for range t.C {
			n++
			if n == 3 {
				ticks <- n
				return
			}
		}
	}()

	jobs := make(chan int)
	results := make(chan int)
	var wg sync.WaitGroup
	const workers, njobs = 8, 1000
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				runtime.Gosched()
				results <- j * j
			}
		}()
	}
	go func() {
		for j := 1; j <= njobs; j++ {
			jobs <- j
		}
		close(jobs)
	}()
	go func() { wg.Wait(); close(results) }()
	sum, count := 0, 0
	for r := range results {
		sum += r
		count++
	}
	say("%d workers squared %d numbers: sum %d", workers, count, sum)

	var mu sync.Mutex
	counter := 0
	var wg2 sync.WaitGroup
	for g := 0; g < 100; g++ {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			for i := 0; i < 1000; i++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
		}()
	}
	wg2.Wait()
	say("100 goroutines counted to %d under a mutex", counter)
	say("ticker ticked %d times", <-ticks)
}

func children() {
	out, err := exec.Command("/bin/echo", "hello", "from", "a", "child").Output()
	say("/bin/echo printed %q, %s", string(out), exitText(err))
	err = exec.Command("/bin/false").Run()
	say("/bin/false: %s", exitText(err))
	err = exec.Command("/nonexistent").Run()
	say("/nonexistent: %v", err)

	// A child started and left for the reaper below, as init collects orphans.
	p, err := os.StartProcess("/bin/true", []string{"true"}, &os.ProcAttr{})
	if err != nil {
		say("start /bin/true: %v", err)
		return
	}
	_ = p
	reaped := 0
	for {
		var ws syscall.WaitStatus
		_, err := syscall.Wait4(-1, &ws, 0, nil)
		if err != nil {
			say("reaped %d child(ren), then wait4: %v", reaped, err)
			return
		}
		reaped++
		say("reaped a child: exited %v, status %d", ws.Exited(), ws.ExitStatus())
	}
}

func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

func signals() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR1)
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		say("kill: %v", err)
	}
	select {
	case s := <-ch:
		say("got signal %q", s.String())
	case <-time.After(5 * time.Second):
		say("no signal after 5s")
	}
	signal.Stop(ch)
}

func nilDeref() (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	var p *int
	*p = 42
	return "no panic"
}

func timers() {
	start := time.Now()
	time.Sleep(20 * time.Millisecond)
	say("slept at least 20ms: %v", time.Since(start) >= 20*time.Millisecond)
	t := time.NewTimer(10 * time.Millisecond)
	<-t.C
	say("timer fired")
	done := make(chan bool)
	time.AfterFunc(5*time.Millisecond, func() { done <- true })
	say("AfterFunc ran: %v", <-done)
	t2 := time.NewTimer(time.Hour)
	say("stopped a pending timer: %v", t2.Stop())
}

// down ends the machine: init must never return (if PID 1 ends, the kernel panics). It
// powers off, or restarts if the word "reboot" is among our arguments (the kernel passes
// the command-line words it does not know, those after "--" too, to init as argv).
func down() {
	cmd, what := syscall.LINUX_REBOOT_CMD_POWER_OFF, "powering off"
	for _, a := range os.Args[1:] {
		if a == "reboot" {
			cmd, what = syscall.LINUX_REBOOT_CMD_RESTART, "restarting"
		}
	}
	say("%s", what)
	syscall.Sync()
	err := syscall.Reboot(cmd)
	say("reboot: %v", err)
	for {
		time.Sleep(time.Hour)
	}
}

// spin runs GOMAXPROCS goroutines, each the loop of user/bench_threads.c's spin_loop, and
// prints their result - one number if they agree, which bench_threads checks.
func spin(loops uint32) {
	n := runtime.GOMAXPROCS(0)
	results := make([]uint32, n)
	var wg sync.WaitGroup
	for g := 0; g < n; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			x := uint32(1)
			for i := uint32(0); i < loops; i++ {
				x = x*1664525 + 1013904223
			}
			results[g] = x
		}(g)
	}
	wg.Wait()
	for _, x := range results[1:] {
		if x != results[0] {
			say("spun %d goroutines: they disagree: %v", n, results)
			return
		}
	}
	say("spun %d goroutines: x=%d", n, results[0])
}

func main() {
	pid := os.Getpid()
	say("hello from Go as init, pid %d", pid)
	if len(os.Args) > 1 && os.Args[1] == "bench" {
		return // user/bench_threads.c times the start to this first line
	}
	if len(os.Args) > 2 && os.Args[1] == "spin" {
		loops, err := strconv.ParseUint(os.Args[2], 10, 32)
		if err != nil {
			say("spin: %v", err)
			os.Exit(2)
		}
		spin(uint32(loops))
		return
	}
	if pid == 1 {
		mounts()
	}
	service()
	children()
	signals()
	say("recovered: %s", nilDeref())
	timers()
	if pid != 1 {
		say("not pid 1: exiting")
		return
	}
	down()
}
