// gopar: a parallel Go program for SMP parity with Linux (tests/system/test_parallel.py).
//
// Goroutines with channels, sync.WaitGroup and sync.Mutex, a pipeline prime sieve and a
// parallel segmented one, runtime.GC while other goroutines allocate, timers and sleeps
// across goroutines, and os/exec of children (this program again, with "child" as its
// argument). It prints only what does not depend on timing or CPUs: totals and checksums.
// Run on the host and as init on Lantern (GOMAXPROCS=4 either way), the lines must match.
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
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func say(format string, args ...interface{}) {
	fmt.Printf("gopar: "+format+"\n", args...)
}

// Workers take numbers from a channel and add their squares under a mutex.
func mutexSum() {
	jobs := make(chan int, 16)
	var mu sync.Mutex
	var wg sync.WaitGroup
	total, perWorker := 0, make([]int, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for n := range jobs {
				mu.Lock()
				total += n * n
				mu.Unlock()
				perWorker[w]++
			}
		}(w)
	}
	for i := 1; i <= 20000; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	count := 0
	for _, c := range perWorker {
		count += c
	}
	say("mutex sum of squares 1..20000: %d over %d jobs", total, count)

	var hits int64
	var wg2 sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			for i := 0; i < 50000; i++ {
				atomic.AddInt64(&hits, 1)
			}
		}()
	}
	wg2.Wait()
	say("atomic counter: %d", hits)
}

// The classic concurrent sieve: a chain of goroutines, one per prime, filtering.
func pipelineSieve(n int) []int {
	ch := make(chan int)
	go func(ch chan<- int) {
		for i := 2; ; i++ {
			ch <- i
		}
	}(ch)
	primes := []int{}
	for i := 0; i < n; i++ {
		p := <-ch
		primes = append(primes, p)
		in, out := ch, make(chan int)
		go func(p int) {
			for {
				v := <-in
				if v%p != 0 {
					out <- v
				}
			}
		}(p)
		ch = out
	}
	return primes
}

// Primes below limit: each goroutine sieves its own segment with the small primes.
func segmentedSieve(limit, parts int) (int, int) {
	small := []int{}
	mark := make([]bool, 2000)
	for i := 2; i*i < limit; i++ {
		if !mark[i] {
			small = append(small, i)
			for j := i * i; j < len(mark); j += i {
				mark[j] = true
			}
		}
	}
	counts, sums := make([]int, parts), make([]int, parts)
	var wg sync.WaitGroup
	seg := (limit + parts - 1) / parts
	for k := 0; k < parts; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			lo, hi := k*seg, (k+1)*seg
			if hi > limit {
				hi = limit
			}
			composite := make([]bool, hi-lo)
			for _, p := range small {
				start := (lo + p - 1) / p * p
				if start < p*p {
					start = p * p
				}
				for j := start; j < hi; j += p {
					composite[j-lo] = true
				}
			}
			for i := lo; i < hi; i++ {
				if i >= 2 && !composite[i-lo] {
					counts[k]++
					sums[k] += i
				}
			}
		}(k)
	}
	wg.Wait()
	c, s := 0, 0
	for k := range counts {
		c += counts[k]
		s += sums[k]
	}
	return c, s
}

type node struct {
	left, right *node
	val         int
}

func tree(depth, val int) *node {
	if depth == 0 {
		return &node{val: val}
	}
	return &node{tree(depth-1, 2*val), tree(depth-1, 2*val+1), val}
}

func (n *node) sum() int {
	if n == nil {
		return 0
	}
	return n.val + n.left.sum() + n.right.sum()
}

// Goroutines build and drop trees and maps while the main goroutine forces collections.
func gcUnderLoad() {
	var wg sync.WaitGroup
	results := make([]int, 6)
	stop := make(chan struct{})
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			total := 0
			for round := 0; round < 40; round++ {
				t := tree(10, g+round)
				m := map[int][]byte{}
				for i := 0; i < 200; i++ {
					m[i] = bytes.Repeat([]byte{byte(i)}, 100+i)
				}
				total += t.sum() + len(m[199])
			}
			results[g] = total
		}(g)
	}
	gcs := 0
	go func() {
		wg.Wait()
		close(stop)
	}()
loop:
	for {
		select {
		case <-stop:
			break loop
		default:
			runtime.GC()
			gcs++
			time.Sleep(time.Millisecond)
		}
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	sum := 0
	for _, r := range results {
		sum += r
	}
	say("gc under load: checksum %d, collections ran: %v", sum, ms.NumGC > 0 && gcs > 0)
}

// Sleeps, timers and tickers across goroutines; the order of wake-ups far apart is fixed.
func timers() {
	order := make(chan int, 5)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 4; i >= 0; i-- {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			time.Sleep(time.Duration(i*60) * time.Millisecond)
			order <- i
		}(i)
	}
	wg.Wait()
	close(order)
	got := []string{}
	for i := range order {
		got = append(got, fmt.Sprint(i))
	}
	say("sleepers woke in order: %s, took at least 240 ms: %v", strings.Join(got, " "),
		time.Since(start) >= 240*time.Millisecond)

	fired := make(chan string, 3)
	time.AfterFunc(30*time.Millisecond, func() { fired <- "afterfunc" })
	t := time.NewTimer(time.Hour)
	stopped := t.Stop()
	ticker := time.NewTicker(5 * time.Millisecond)
	ticks := 0
	for ticks < 10 {
		<-ticker.C
		ticks++
	}
	ticker.Stop()
	say("timer stopped before firing: %v, ticks %d, %s", stopped, ticks, <-fired)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	select {
	case <-ctx.Done():
		say("context: %v", ctx.Err())
	case <-time.After(10 * time.Second):
		say("context: did not expire")
	}
}

// The child: uppercase stdin to stdout, exit with the code given.
func child(code string) {
	data, _ := io.ReadAll(os.Stdin)
	os.Stdout.Write(bytes.ToUpper(data))
	var n int
	fmt.Sscan(code, &n)
	os.Exit(n)
}

func execChildren() {
	self, err := os.Executable()
	if err != nil {
		self = os.Args[0]
	}
	var wg sync.WaitGroup
	outs := make([]string, 6)
	codes := make([]int, 6)
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cmd := exec.Command(self, "child", fmt.Sprint(i))
			cmd.Stdin = strings.NewReader(strings.Repeat(fmt.Sprintf("line %d of child\n", i), 200))
			var out bytes.Buffer
			cmd.Stdout = &out
			err := cmd.Run()
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				codes[i] = ee.ExitCode()
			} else if err != nil {
				codes[i] = -1
			}
			outs[i] = fmt.Sprintf("%08x", crc32.ChecksumIEEE(out.Bytes()))
		}(i)
	}
	wg.Wait()
	say("exec: 6 children at once: exit codes %v, output crcs %s", codes, strings.Join(outs, " "))

	// A pipe from a child, read line by line while it runs.
	cmd := exec.Command(self, "child", "0")
	cmd.Stdin = strings.NewReader("b\na\nc\n")
	pipe, _ := cmd.StdoutPipe()
	cmd.Start()
	lines := []string{}
	sc := bufio.NewScanner(pipe)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	err = cmd.Wait()
	sort.Strings(lines)
	say("exec: piped lines %v, wait: %v", lines, err)

	// A child killed by a signal.
	cmd = exec.Command(self, "child", "0")
	stdin, _ := cmd.StdinPipe() // never written: the child blocks reading it
	cmd.Start()
	time.Sleep(20 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	err = cmd.Wait()
	stdin.Close()
	say("exec: killed child: %v", err)
}

func main() {
	if len(os.Args) == 3 && os.Args[1] == "child" {
		child(os.Args[2])
	}
	say("start")
	mutexSum()
	p := pipelineSieve(300)
	say("pipeline sieve: 300 primes, last %d, sum %d", p[len(p)-1], sumInts(p))
	c, s := segmentedSieve(2000000, 8)
	say("segmented sieve below 2000000: %d primes, sum %d", c, s)
	gcUnderLoad()
	timers()
	execChildren()
	say("done")
	if os.Getpid() == 1 {
		syscall.Reboot(syscall.LINUX_REBOOT_CMD_POWER_OFF)
	}
}

func sumInts(v []int) int {
	s := 0
	for _, x := range v {
		s += x
	}
	return s
}
