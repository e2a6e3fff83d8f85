// gopar2: more parallel Go, for SMP parity with Linux (tests/system/test_parallel2.py), the
// second round after tests/user/gopar.
//
// os/signal (Notify of SIGUSR1 and SIGCHLD, sent by itself and by children), tickers with
// select and context cancellation, a tight loop that only asynchronous preemption (SIGURG)
// can interrupt at GOMAXPROCS=1, sync.Pool, sync.Once and sync/atomic, many goroutines
// doing file I/O in one directory at once, os/exec pipelines of several children joined by
// StdoutPipe, and a GC-heavy run of maps and slices. It prints only what does not depend on
// timing, CPUs or pids. Run on the host and as init on Lantern (GOMAXPROCS=4 either way);
// the lines must match.
//
//	gopar2                 every part
//	gopar2 filter MODE     a pipeline stage (upper, rev, number), stdin to stdout
//	gopar2 signal-parent   sends its parent SIGUSR1, then exits
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func say(format string, args ...interface{}) {
	fmt.Printf("gopar2: "+format+"\n", args...)
}

func self() string {
	if p, err := os.Executable(); err == nil {
		return p
	}
	return os.Args[0]
}

// sigCounter counts what signal.Notify delivers, per signal; waitFor waits until the count
// of one reaches n, up to 10 s (a lost signal is a line that says so, not a hang). The
// order in which two different signals reach the channel is not fixed (Linux may run
// their handlers on two CPUs at once), so nothing here depends on it.
type sigCounter struct {
	mu     sync.Mutex
	cond   *sync.Cond
	counts map[os.Signal]int
}

func newSigCounter(ch chan os.Signal) *sigCounter {
	c := &sigCounter{counts: map[os.Signal]int{}}
	c.cond = sync.NewCond(&c.mu)
	go func() {
		for s := range ch {
			c.mu.Lock()
			c.counts[s]++
			c.cond.Broadcast()
			c.mu.Unlock()
		}
	}()
	return c
}

func (c *sigCounter) waitFor(sig os.Signal, n int) bool {
	deadline := time.Now().Add(10 * time.Second)
	t := time.AfterFunc(10*time.Second, func() { c.mu.Lock(); c.cond.Broadcast(); c.mu.Unlock() })
	defer t.Stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.counts[sig] < n && time.Now().Before(deadline) {
		c.cond.Wait()
	}
	return c.counts[sig] >= n
}

// Signals: 40 SIGUSR1s to itself, one at a time; then 6 children, one after the other,
// each sending SIGUSR1 to its parent and exiting (SIGCHLD). Standard signals do not
// queue: each is waited for before the next is sent.
func signals() {
	ch := make(chan os.Signal, 8)
	signal.Notify(ch, syscall.SIGUSR1, syscall.SIGCHLD)
	c := newSigCounter(ch)
	self_ := 0
	for i := 0; i < 40; i++ {
		syscall.Kill(os.Getpid(), syscall.SIGUSR1)
		if c.waitFor(syscall.SIGUSR1, i+1) {
			self_++
		}
	}
	fromKids, chlds, exits := 0, 0, 0
	for i := 0; i < 6; i++ {
		cmd := exec.Command(self(), "signal-parent")
		if cmd.Start() != nil {
			continue
		}
		if c.waitFor(syscall.SIGUSR1, 40+i+1) {
			fromKids++
		}
		if cmd.Wait() == nil {
			exits++
		}
		if c.waitFor(syscall.SIGCHLD, i+1) {
			chlds++
		}
	}
	signal.Stop(ch)
	// Stopped: the channel gets nothing more (the signal goes back to its default
	// action, which for SIGUSR1 would end us, so it is ignored first).
	signal.Ignore(syscall.SIGUSR1)
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	time.Sleep(20 * time.Millisecond)
	c.mu.Lock()
	after := c.counts[syscall.SIGUSR1] - 46
	c.mu.Unlock()
	say("signals: %d of 40 to itself, %d of 6 from children, %d SIGCHLDs, %d clean exits, after Stop %d",
		self_, fromKids, chlds, exits, after)
}

// Tickers: 8 goroutines count ticks of their own tickers in a select with ctx.Done(); when
// every one has seen 15, the context is cancelled and they must all return. Then a
// WithTimeout context expires while its goroutine waits, and AfterFunc runs once each.
func tickers() {
	ctx, cancel := context.WithCancel(context.Background())
	var enough sync.WaitGroup
	var done sync.WaitGroup
	counts := make([]int64, 8)
	for g := 0; g < 8; g++ {
		enough.Add(1)
		done.Add(1)
		go func(g int) {
			defer done.Done()
			t := time.NewTicker(time.Duration(1+g%3) * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					if atomic.AddInt64(&counts[g], 1) == 15 {
						enough.Done()
					}
				}
			}
		}(g)
	}
	enough.Wait()
	cancel()
	done.Wait()
	min := counts[0]
	for _, c := range counts {
		if c < min {
			min = c
		}
	}
	tctx, tcancel := context.WithTimeout(context.Background(), 15*time.Millisecond)
	defer tcancel()
	errc := make(chan error)
	go func() {
		select {
		case <-tctx.Done():
			errc <- tctx.Err()
		case <-time.After(10 * time.Second):
			errc <- nil
		}
	}()
	err := <-errc
	var fired int32
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		time.AfterFunc(time.Duration(i%5)*time.Millisecond, func() {
			atomic.AddInt32(&fired, 1)
			wg.Done()
		})
	}
	wg.Wait()
	say("tickers: 8 goroutines, each at least 15 ticks: %v; all returned on cancel; timeout: %v; AfterFunc ran %d",
		min >= 15, errors.Is(err, context.DeadlineExceeded), fired)
}

// Preemption: at GOMAXPROCS=1 a goroutine spins in a loop with no calls; main sleeps and
// can only run again if the runtime preempts the spinner (sysmon sends it SIGURG). Then
// four spinners at GOMAXPROCS=4 while runtime.GC stops the world.
var spinStop int32
var spinSink uint64

func spin() {
	var x uint64
	for atomic.LoadInt32(&spinStop) == 0 {
		x = x*6364136223846793005 + 1442695040888963407
	}
	atomic.AddUint64(&spinSink, x|1)
}

func preempt() {
	old := runtime.GOMAXPROCS(1)
	atomic.StoreInt32(&spinStop, 0)
	done := make(chan bool)
	go func() { spin(); done <- true }()
	runtime.Gosched() // let it start
	time.Sleep(30 * time.Millisecond)
	atomic.StoreInt32(&spinStop, 1)
	<-done
	runtime.GOMAXPROCS(old)
	atomic.StoreInt32(&spinStop, 0)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); spin() }()
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < 2; i++ {
		runtime.GC()
	}
	runtime.ReadMemStats(&after)
	atomic.StoreInt32(&spinStop, 1)
	wg.Wait()
	say("preempt: tight loop at GOMAXPROCS=1 preempted: true; 2 GCs with 4 spinners: %v", after.NumGC-before.NumGC >= 2)
}

// Pool, Once, atomics: 16 goroutines share a sync.Pool of buffers, race to a sync.Once,
// count with atomics, publish through atomic.Value, and take a CAS spin lock.
func poolOnce() {
	pool := sync.Pool{New: func() interface{} { return new(bytes.Buffer) }}
	var once sync.Once
	var onceRuns, counter int64
	var lock int32
	var guarded int64
	var published atomic.Value
	published.Store(0)
	var wg sync.WaitGroup
	sums := make([]uint32, 16)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			once.Do(func() { atomic.AddInt64(&onceRuns, 1) })
			for i := 0; i < 3000; i++ {
				b := pool.Get().(*bytes.Buffer)
				b.Reset()
				fmt.Fprintf(b, "g%d i%d", g, i)
				sums[g] += crc32.ChecksumIEEE(b.Bytes())
				pool.Put(b)
				atomic.AddInt64(&counter, 1)
				if i%10 == 0 {
					for !atomic.CompareAndSwapInt32(&lock, 0, 1) {
						runtime.Gosched()
					}
					guarded++
					atomic.StoreInt32(&lock, 0)
				}
				if i == 2999 {
					published.Store(g)
				}
			}
		}(g)
	}
	wg.Wait()
	var total uint32
	for _, s := range sums {
		total += s
	}
	v := published.Load().(int)
	say("pool: once ran %d, counter %d, guarded %d, crc total %08x, published value in range: %v",
		onceRuns, counter, guarded, total, v >= 0 && v < 16)
}

// Files: 16 goroutines write files of their own in one directory (bufio, different
// sizes), then 16 read them all back at once; rename half, list, remove.
func files() {
	dir, err := os.MkdirTemp("", "gopar2-")
	if err != nil {
		say("files: MkdirTemp: %v", err)
		return
	}
	defer os.RemoveAll(dir)
	contents := make([][]byte, 16)
	for i := range contents {
		var b bytes.Buffer
		for j := 0; j < 500+i*100; j++ {
			fmt.Fprintf(&b, "file %d line %d\n", i, j)
		}
		contents[i] = b.Bytes()
	}
	content := func(i int) []byte { return contents[i] }
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			f, err := os.Create(filepath.Join(dir, fmt.Sprintf("f%02d", i)))
			if err != nil {
				errs[i] = err
				return
			}
			w := bufio.NewWriterSize(f, 1000+i*97)
			w.Write(content(i))
			if err := w.Flush(); err != nil {
				errs[i] = err
			}
			if err := f.Close(); err != nil && errs[i] == nil {
				errs[i] = err
			}
		}(i)
	}
	wg.Wait()
	crcs := make([]uint32, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var all uint32
			for j := 0; j < 16; j++ {
				data, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("f%02d", (i+j)%16)))
				if err != nil || !bytes.Equal(data, content((i+j)%16)) {
					all += 1
				}
				all += crc32.ChecksumIEEE(data)
			}
			crcs[i] = all
		}(i)
	}
	wg.Wait()
	same := true
	for _, c := range crcs {
		same = same && c == crcs[0]
	}
	bad := 0
	for _, e := range errs {
		if e != nil {
			bad++
		}
	}
	for i := 0; i < 16; i += 2 {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			os.Rename(filepath.Join(dir, fmt.Sprintf("f%02d", i)), filepath.Join(dir, fmt.Sprintf("r%02d", i)))
		}(i)
	}
	wg.Wait()
	ents, _ := os.ReadDir(dir)
	names := []string{}
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	say("files: 16 written (%d errors), read back by 16 at once, all agree: %v, crc %08x; after renames: %s",
		bad, same, crcs[0], strings.Join(names, ","))
}

// A pipeline stage: stdin to stdout, line by line.
func filter(mode string) {
	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	n := 0
	for in.Scan() {
		line := in.Text()
		n++
		switch mode {
		case "upper":
			line = strings.ToUpper(line)
		case "rev":
			r := []rune(line)
			for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
				r[i], r[j] = r[j], r[i]
			}
			line = string(r)
		case "number":
			line = fmt.Sprintf("%d:%s", n, line)
		}
		fmt.Fprintln(out, line)
	}
	out.Flush()
	os.Exit(0)
}

// Pipelines: three at once, each of four children (upper | rev | number | upper) joined by
// StdoutPipe; the first is fed from a goroutine, the last read by another.
func pipelines() {
	var wg sync.WaitGroup
	results := make([]string, 3)
	for p := 0; p < 3; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			modes := []string{"upper", "rev", "number", "upper"}
			cmds := make([]*exec.Cmd, len(modes))
			for i, m := range modes {
				cmds[i] = exec.Command(self(), "filter", m)
			}
			stdin, _ := cmds[0].StdinPipe()
			for i := 1; i < len(cmds); i++ {
				out, err := cmds[i-1].StdoutPipe()
				if err != nil {
					results[p] = "StdoutPipe: " + err.Error()
					return
				}
				cmds[i].Stdin = out
			}
			last, _ := cmds[len(cmds)-1].StdoutPipe()
			for _, c := range cmds {
				if err := c.Start(); err != nil {
					results[p] = "start: " + err.Error()
					return
				}
			}
			go func() {
				w := bufio.NewWriter(stdin)
				for i := 0; i < 3000; i++ {
					fmt.Fprintf(w, "pipeline %d says %d\n", p, i*i)
				}
				w.Flush()
				stdin.Close()
			}()
			data, _ := io.ReadAll(last)
			waits := 0
			for _, c := range cmds {
				if c.Wait() == nil {
					waits++
				}
			}
			lines := bytes.Count(data, []byte("\n"))
			results[p] = fmt.Sprintf("%d lines crc %08x clean %d", lines, crc32.ChecksumIEEE(data), waits)
		}(p)
	}
	wg.Wait()
	say("pipelines: %s", strings.Join(results, "; "))
}

// GC-heavy: four goroutines build and drop maps and slices (tens of MB allocated in all,
// little live at once), then a checksum over what is kept.
func gcHeavy() {
	var wg sync.WaitGroup
	sums := make([]uint64, 4)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			var keep [][]uint64
			for round := 0; round < 6; round++ {
				m := make(map[int]string)
				for i := 0; i < 4000; i++ {
					m[i*7+g] = fmt.Sprintf("v%d.%d", i, round)
				}
				var s []uint64
				for i := 0; i < 8000; i++ {
					s = append(s, uint64(len(m[(i%4000)*7+g]))*uint64(i+round+g))
				}
				keep = append(keep, s[:64])
				if len(keep) > 4 {
					keep = keep[1:]
				}
				for _, v := range s {
					sums[g] += v
				}
			}
			for _, k := range keep {
				for _, v := range k {
					sums[g] ^= v << 3
				}
			}
		}(g)
	}
	wg.Wait()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	say("gc: sums %d %d %d %d, collections happened: %v", sums[0], sums[1], sums[2], sums[3], ms.NumGC > 0)
}

// File.Sync is fsync (it was ENOSYS on Lantern once).
func fileSync() {
	f, err := os.CreateTemp("", "gopar2-sync-")
	if err != nil {
		say("sync: CreateTemp: %v", err)
		return
	}
	defer os.Remove(f.Name())
	f.WriteString("data\n")
	say("sync: File.Sync: %v", f.Sync())
	f.Close()
}

func main() {
	if len(os.Args) == 3 && os.Args[1] == "filter" {
		filter(os.Args[2])
	}
	if len(os.Args) == 2 && os.Args[1] == "signal-parent" {
		syscall.Kill(os.Getppid(), syscall.SIGUSR1)
		os.Exit(0)
	}
	{
		say("start")
		for _, part := range []func(){signals, tickers, preempt, poolOnce, files, fileSync, pipelines, gcHeavy} {
			start := time.Now()
			part()
			if os.Getenv("GOPAR2_TIMES") != "" { // on the kernel command line: not compared
				fmt.Printf("time: %d ms\n", time.Since(start).Milliseconds())
			}
		}
	}
	say("done")
	if os.Getpid() == 1 {
		syscall.Reboot(syscall.LINUX_REBOOT_CMD_POWER_OFF)
	}
}
