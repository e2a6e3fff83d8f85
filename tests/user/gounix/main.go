// gounix: AF_UNIX sockets with names, as Go programs use them, for parity with Linux.
//
// net.Listen("unix") with goroutine clients from net.Dial (SO_PEERCRED through
// SyscallConn), an HTTP server on a unix socket and a client whose Transport dials it,
// datagrams with net.ListenUnixgram and DialUnix answered at the address ReadFromUnix gave
// (a path, an abstract name), and WriteMsgUnix/ReadMsgUnix passing descriptors
// (syscall.UnixRights, ParseUnixRights): a pipe's read end and a file. It prints only what
// does not depend on timing, pids or descriptor numbers, and ends with "gounix: done". Run
// on the host and as init on Lantern (where it powers the machine off), the lines must match.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

const dir = "/tmp/gounix-lantern"

func say(format string, args ...interface{}) {
	fmt.Printf("gounix: "+format+"\n", args...)
}

func path(name string) string { return dir + "/" + name }

// errno names the system error inside err, or says "ok".
func errno(err error) string {
	if err == nil {
		return "ok"
	}
	var e syscall.Errno
	if errors.As(err, &e) {
		switch e {
		case syscall.ENOENT:
			return "ENOENT"
		case syscall.EADDRINUSE:
			return "EADDRINUSE"
		case syscall.ECONNREFUSED:
			return "ECONNREFUSED"
		case syscall.EPROTOTYPE:
			return "EPROTOTYPE"
		case syscall.EINVAL:
			return "EINVAL"
		}
		return fmt.Sprintf("errno %d", int(e))
	}
	return "error: " + err.Error()
}

func peerCred(c net.Conn) (cred *syscall.Ucred, err error) {
	raw, err := c.(*net.UnixConn).SyscallConn()
	if err != nil {
		return nil, err
	}
	cerr := raw.Control(func(fd uintptr) {
		cred, err = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	})
	if cerr != nil {
		return nil, cerr
	}
	return cred, err
}

// A line server: each connection's lines come back upper-cased; eight clients at once.
func streams() {
	ln, err := net.Listen("unix", path("stream.sock"))
	if err != nil {
		say("listen: %v", err)
		return
	}
	say("listen: addr %s, network %s", ln.Addr().String(), ln.Addr().Network())
	fi, err := os.Stat(path("stream.sock"))
	say("the node: socket %v (%v)", err == nil && fi.Mode()&os.ModeSocket != 0, errno(err))
	_, err = net.Listen("unix", path("stream.sock"))
	say("listen on the same path again: %s", errno(err))

	var wg sync.WaitGroup
	var mu sync.Mutex
	creds := 0
	remotes := map[string]int{}
	wg.Add(1)
	go func() {
		defer wg.Done()
		var handlers sync.WaitGroup
		for i := 0; i < 8; i++ {
			c, err := ln.Accept()
			if err != nil {
				say("accept: %v", err)
				return
			}
			handlers.Add(1)
			go func(c net.Conn) {
				defer handlers.Done()
				defer c.Close()
				cr, err := peerCred(c)
				mu.Lock()
				if err == nil && int(cr.Pid) == os.Getpid() && int(cr.Uid) == os.Getuid() {
					creds++
				}
				remotes[fmt.Sprintf("local %q, remote %q", c.LocalAddr().String(), c.RemoteAddr().String())]++
				mu.Unlock()
				sc := bufio.NewScanner(c)
				for sc.Scan() {
					fmt.Fprintf(c, "%s\n", strings.ToUpper(sc.Text()))
				}
			}(c)
		}
		handlers.Wait()
	}()

	results := make([]string, 8)
	var cw sync.WaitGroup
	for i := 0; i < 8; i++ {
		cw.Add(1)
		go func(i int) {
			defer cw.Done()
			c, err := net.Dial("unix", path("stream.sock"))
			if err != nil {
				results[i] = "dial: " + errno(err)
				return
			}
			defer c.Close()
			r := bufio.NewReader(c)
			got := []string{}
			for k := 0; k < 20; k++ {
				fmt.Fprintf(c, "client %d line %d\n", i, k)
				line, err := r.ReadString('\n')
				if err != nil {
					break
				}
				got = append(got, strings.TrimSpace(line))
			}
			c.(*net.UnixConn).CloseWrite()
			_, err = r.ReadByte()
			results[i] = fmt.Sprintf("%d lines back, the last %q, then %v", len(got), got[len(got)-1], err)
		}(i)
	}
	cw.Wait()
	wg.Wait()
	for i, r := range results {
		say("stream client %d: %s", i, r)
	}
	keys := []string{}
	for k, n := range remotes {
		keys = append(keys, fmt.Sprintf("%s x%d", k, n))
	}
	sort.Strings(keys)
	say("accepted connections: %s", strings.Join(keys, "; "))
	say("SO_PEERCRED ours: %d of 8", creds)
	ln.Close()
	_, err = os.Stat(path("stream.sock"))
	say("after the listener's Close, the node: %s", errno(err))
	_, err = net.Dial("unix", path("stream.sock"))
	say("dial it: %s", errno(err))

	// A datagram socket's path, dialled as a stream: EPROTOTYPE.
	g, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path("g.sock"), Net: "unixgram"})
	if err == nil {
		_, err = net.Dial("unix", path("g.sock"))
		say("dial a datagram socket's path as a stream: %s", errno(err))
		g.Close()
	}
	// An abstract listener: no node in the filesystem.
	aln, err := net.Listen("unix", "@lantern-gounix-abs")
	if err != nil {
		say("abstract listen: %v", err)
		return
	}
	go func() {
		c, err := aln.Accept()
		if err == nil {
			io.Copy(c, c)
			c.Close()
		}
	}()
	c, err := net.Dial("unix", "@lantern-gounix-abs")
	if err == nil {
		c.Write([]byte("abstract echo"))
		buf := make([]byte, 64)
		n, _ := io.ReadAtLeast(c, buf, 13)
		say("abstract listener %q: %q, remote %q", aln.Addr().String(), buf[:n], c.RemoteAddr().String())
		c.Close()
	} else {
		say("abstract dial: %s", errno(err))
	}
	aln.Close()
}

// HTTP on a unix socket: a client whose Transport dials the socket whatever the URL's host.
func httpOverUnix() {
	ln, err := net.Listen("unix", path("http.sock"))
	if err != nil {
		say("http listen: %v", err)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/hello/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "hello, %s (%s)", strings.TrimPrefix(r.URL.Path, "/hello/"), r.Method)
	})
	srv := &http.Server{Handler: mux}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	// No keep-alives: a connection dialled for a request another one took would wait in
	// the server, new and not idle, and hold up Shutdown (for 5 s, by timing).
	transport := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path("http.sock"))
		},
		DisableKeepAlives: true,
	}
	client := &http.Client{Transport: transport}
	bodies := make([]string, 6)
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var resp *http.Response
			var err error
			if i%2 == 0 {
				resp, err = client.Get(fmt.Sprintf("http://unix/hello/get%d", i))
			} else {
				resp, err = client.Post(fmt.Sprintf("http://unix/hello/post%d", i), "text/plain",
					strings.NewReader("body"))
			}
			if err != nil {
				bodies[i] = "error " + errno(err)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			bodies[i] = fmt.Sprintf("%d %q", resp.StatusCode, b)
		}(i)
	}
	wg.Wait()
	for i, b := range bodies {
		say("http request %d: %s", i, b)
	}
	resp, err := client.Get("http://unix/missing")
	if err == nil {
		say("http missing page: %d", resp.StatusCode)
		resp.Body.Close()
	}
	transport.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	say("http shutdown: %v, serve returned %v", srv.Shutdown(ctx), <-done)
}

// Datagrams: a server answering at the address ReadFromUnix gave; clients bound to a path
// and to an abstract name, and one connected but unbound (its requests come from no address:
// the server cannot answer them).
func datagrams() {
	srv, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path("dg.sock"), Net: "unixgram"})
	if err != nil {
		say("listenunixgram: %v", err)
		return
	}
	served := make(chan []string, 1)
	go func() {
		seen := []string{}
		buf := make([]byte, 256)
		for i := 0; i < 2*5+1; i++ {
			n, from, err := srv.ReadFromUnix(buf)
			if err != nil {
				break
			}
			req := string(buf[:n])
			if from == nil || from.Name == "" {
				seen = append(seen, fmt.Sprintf("%q from no address", req))
				continue
			}
			if strings.HasSuffix(req, "#0") {
				seen = append(seen, fmt.Sprintf("%q from %q", req, from.Name))
			}
			srv.WriteToUnix([]byte("re: "+req), from)
		}
		sort.Strings(seen)
		served <- seen
	}()
	laddrs := []string{path("c0.sock"), "@lantern-gounix-c1"}
	results := make([]string, 2)
	var wg sync.WaitGroup
	for i, l := range laddrs {
		wg.Add(1)
		go func(i int, l string) {
			defer wg.Done()
			c, err := net.DialUnix("unixgram", &net.UnixAddr{Name: l, Net: "unixgram"},
				&net.UnixAddr{Name: path("dg.sock"), Net: "unixgram"})
			if err != nil {
				results[i] = "dial: " + errno(err)
				return
			}
			defer c.Close()
			ok := 0
			var from string
			buf := make([]byte, 256)
			for k := 0; k < 5; k++ {
				req := fmt.Sprintf("client %d #%d", i, k)
				c.Write([]byte(req))
				n, addr, err := c.ReadFromUnix(buf)
				if err != nil {
					break
				}
				if string(buf[:n]) == "re: "+req {
					ok++
				}
				from = addr.Name
			}
			results[i] = fmt.Sprintf("local %q, %d of 5 answered, from %q", c.LocalAddr().String(), ok, from)
		}(i, l)
	}
	wg.Wait()
	u, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path("dg.sock"), Net: "unixgram"})
	if err == nil {
		u.Write([]byte("anonymous"))
		say("an unbound client: local %v", u.LocalAddr())
	}
	for i, r := range results {
		say("datagram client %d: %s", i, r)
	}
	for _, s := range <-served {
		say("the server saw %s", s)
	}
	if u != nil {
		u.Close()
	}
	srv.Close()
	_, err = net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path("dg.sock"), Net: "unixgram"})
	say("dial the closed server's path: %s", errno(err))
	os.Remove(path("dg.sock"))
	os.Remove(path("c0.sock"))
	_, err = net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path("dg.sock"), Net: "unixgram"})
	say("after its removal: %s", errno(err))
}

// Descriptors over a unix socket: a pipe's read end and a file.
func passing() {
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path("fd.sock"), Net: "unix"})
	if err != nil {
		say("listen: %v", err)
		return
	}
	defer ln.Close()
	got := make(chan *net.UnixConn, 1)
	go func() {
		c, err := ln.AcceptUnix()
		if err != nil {
			got <- nil
			return
		}
		got <- c
	}()
	a, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path("fd.sock"), Net: "unix"})
	if err != nil {
		say("dial: %v", err)
		return
	}
	defer a.Close()
	b := <-got
	if b == nil {
		return
	}
	defer b.Close()

	pr, pw, _ := os.Pipe()
	os.WriteFile(path("data"), []byte("0123456789 a file passed over a socket"), 0644)
	f, _ := os.Open(path("data"))
	f.Seek(11, io.SeekStart)
	n, oobn, err := a.WriteMsgUnix([]byte("two fds"), syscall.UnixRights(int(pr.Fd()), int(f.Fd())), nil)
	say("WriteMsgUnix: %d bytes, %d of control, %s", n, oobn, errno(err))
	pr.Close()
	f.Close()

	buf := make([]byte, 64)
	oob := make([]byte, syscall.CmsgSpace(2*4))
	n, oobn, flags, _, err := b.ReadMsgUnix(buf, oob)
	say("ReadMsgUnix: %q, %d of control, MSG_CTRUNC %v, %s", buf[:n], oobn, flags&syscall.MSG_CTRUNC != 0, errno(err))
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		say("ParseSocketControlMessage: %d messages, %s", len(msgs), errno(err))
		return
	}
	fds, err := syscall.ParseUnixRights(&msgs[0])
	say("ParseUnixRights: %d descriptors, %s", len(fds), errno(err))
	if len(fds) != 2 {
		return
	}
	rp := os.NewFile(uintptr(fds[0]), "received pipe")
	rf := os.NewFile(uintptr(fds[1]), "received file")
	pw.Write([]byte("through the passed pipe"))
	pw.Close()
	data, err := io.ReadAll(rp)
	say("read the pipe through it: %q, %s", data, errno(err))
	data, err = io.ReadAll(rf)
	say("read the file through it (from offset 11): %q, %s", data, errno(err))
	rp.Close()
	rf.Close()

	// Too small a control buffer: MSG_CTRUNC, and no descriptors.
	pr, pw, _ = os.Pipe()
	a.WriteMsgUnix([]byte("one fd"), syscall.UnixRights(int(pr.Fd())), nil)
	pr.Close()
	n, oobn, flags, _, err = b.ReadMsgUnix(buf, make([]byte, 0))
	say("ReadMsgUnix without room for control: %q, %d of control, MSG_CTRUNC %v, %s", buf[:n], oobn,
		flags&syscall.MSG_CTRUNC != 0, errno(err))
	pw.Close()
	os.Remove(path("data"))
}

func main() {
	say("start")
	syscall.Umask(022)
	if err := os.Mkdir(dir, 0755); err != nil && !os.IsExist(err) {
		say("mkdir: %v", err)
	}
	if ents, err := os.ReadDir(dir); err == nil {
		for _, e := range ents {
			os.RemoveAll(path(e.Name()))
		}
	}
	streams()
	httpOverUnix()
	datagrams()
	passing()
	// Listeners unlink their nodes at Close; a ListenUnixgram socket does not.
	left := []string{}
	if ents, err := os.ReadDir(dir); err == nil {
		for _, e := range ents {
			left = append(left, fmt.Sprintf("%s (socket %v)", e.Name(), e.Type()&os.ModeSocket != 0))
			os.Remove(path(e.Name()))
		}
	}
	say("left in %s: %v", dir, left)
	say("remove %s: %s", dir, errno(os.Remove(dir)))
	say("done")
	if os.Getpid() == 1 {
		syscall.Reboot(syscall.LINUX_REBOOT_CMD_POWER_OFF)
	}
}
