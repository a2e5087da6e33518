package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salesrecipe/salesrecipe/queries"
)

func TestReadyzTellsReadFromWrite(t *testing.T) {
	st := engine.Store(t, queries.Config{})
	var readOnly atomic.Bool
	ro := engine.ReadOnlyStore(t, st, &readOnly)
	srv := httptest.NewServer(readyHandler(slog.New(slog.DiscardHandler), ro))
	defer srv.Close()
	get := func() (int, readiness) {
		res, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var rd readiness
		if err := json.NewDecoder(res.Body).Decode(&rd); err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, rd
	}
	if status, rd := get(); status != http.StatusOK || rd != (readiness{Ready: true, Read: "ok", Write: "ok"}) {
		t.Fatalf("a writable store: %d %+v", status, rd)
	}
	readOnly.Store(true) // the engine refuses writes, as on a read-only replica or a full disk
	if status, rd := get(); status != http.StatusServiceUnavailable || rd.Ready || rd.Read != "ok" || !strings.HasPrefix(rd.Write, "error: ") {
		t.Fatalf("a store that cannot write: %d %+v, want 503 with read ok and the write error", status, rd)
	}
}

// dial opens a connection to addr that the test gives up on after 5 s.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	return conn
}

// closedByServer reports whether the server ended the connection (after any answer it sent)
// before the test's own deadline.
func closedByServer(conn net.Conn) error {
	_, err := io.Copy(io.Discard, conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return fmt.Errorf("still open after 5 s")
	}
	return nil
}

func TestServerDropsSlowAndIdleClients(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		fmt.Fprintln(w, "ok")
	})
	srv := httpServer("127.0.0.1:0", h, timeouts{header: 100 * time.Millisecond, read: 300 * time.Millisecond, idle: 200 * time.Millisecond})
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	addr := ln.Addr().String()
	trickle := func(conn net.Conn, s string) {
		for i := range len(s) {
			if _, err := conn.Write([]byte{s[i]}); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	t.Run("headers one byte at a time", func(t *testing.T) {
		errs := make(chan error, 8)
		for range 8 {
			conn := dial(t, addr)
			go trickle(conn, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "+strings.Repeat("a", 200)+"\r\n\r\n")
			go func() { errs <- closedByServer(conn) }()
		}
		for range 8 {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
	})
	t.Run("body one byte at a time", func(t *testing.T) {
		conn := dial(t, addr)
		fmt.Fprint(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 200\r\n\r\n")
		go trickle(conn, strings.Repeat("a", 200))
		if err := closedByServer(conn); err != nil {
			t.Error(err)
		}
	})
	t.Run("idle after an answer", func(t *testing.T) {
		conn := dial(t, addr)
		fmt.Fprint(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("%v %v", res, err)
		}
		io.Copy(io.Discard, res.Body)
		if err := closedByServer(conn); err != nil {
			t.Error(err)
		}
	})
}
