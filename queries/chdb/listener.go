package chdb

import (
	"context"
	"errors"
	"net"
	"sync"
)

// Listener is an in-process net.Listener: Dial hands one end of a pipe to
// Accept, so an HTTP server and a client talk without opening a port.
type Listener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

// pipeAddr names the in-process endpoint.
type pipeAddr struct{}

// Network returns "pipe".
func (pipeAddr) Network() string { return "pipe" }

// String returns "embedded".
func (pipeAddr) String() string { return "embedded" }

// NewListener returns an open in-process listener.
func NewListener() *Listener {
	return &Listener{conns: make(chan net.Conn), done: make(chan struct{})}
}

// Accept waits for the next Dial.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops Accept and Dial.
func (l *Listener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

// Addr returns the in-process address.
func (l *Listener) Addr() net.Addr { return pipeAddr{} }

// DialContext connects to the listener; its signature fits clickhouse-go's Options.DialContext.
func (l *Listener) DialContext(ctx context.Context, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		client.Close()
		server.Close()
		return nil, errors.New("chdb: in-process listener is closed")
	case <-ctx.Done():
		client.Close()
		server.Close()
		return nil, ctx.Err()
	}
}
