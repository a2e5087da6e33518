package queries

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/salesrecipe/salesrecipe/queries/chdb"
)

// DefaultDatabase is the database the embedded engine uses.
const DefaultDatabase = "salesrecipe"

// Config selects and configures the store.
type Config struct {
	// DSN reaches a ClickHouse server: http://user:pass@host:8123/db or
	// clickhouse://user:pass@host:9000/db. Empty means the embedded engine.
	DSN string
	// DataDir is the embedded engine's data directory.
	DataDir string
	// LibraryPath is the embedded engine's libchdb.so.
	LibraryPath string
	// Cluster renders the schema for a ClickHouse cluster of this name.
	Cluster string
	// Logger receives store events; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// LoadBatchRows is how many rows a load buffers per insert into its
	// staging table; 0 means 100,000.
	LoadBatchRows int
	// ReadWait bounds how long a read waits for a firm's loads to finish
	// committing (a commit a dead load left open included) before it fails
	// with ErrCommitOpen; 0 means 45 s.
	ReadWait time.Duration
}

// Store is the connection to ClickHouse and the schema it serves.
type Store struct {
	conn    driver.Conn
	schema  Schema
	engine  *chdb.Engine // the embedded engine when this store owns it
	closers []func() error
	log     *slog.Logger
	now     func() time.Time
	batch   int
	self    holder // this process, as the tables it owns name it

	gates    gates                           // per firm: commits exclusive, reads shared
	solo     bool                            // the store opened the embedded engine: no other store shares it
	readWait time.Duration                   // how long a read waits for open commits
	swapped  func(firm string, month uint32) // test hook: a month of a swap is in place
	// dealReads cuts FirmData's deal reads into ranges; the zero value is the default.
	dealReads dealReads
}

// Open connects to the server named by cfg.DSN, or opens the embedded engine.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.DSN != "" {
		return openServer(ctx, cfg)
	}
	if cfg.Cluster != "" {
		return nil, fmt.Errorf("cluster %q needs a ClickHouse server: give its DSN (--clickhouse or SALESRECIPE_CLICKHOUSE); the embedded engine is one node", cfg.Cluster)
	}
	e, err := chdb.Open(ctx, chdb.Config{LibraryPath: cfg.LibraryPath, DataDir: cfg.DataDir, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	if _, err := e.Query(ctx, chdb.Request{SQL: "CREATE DATABASE IF NOT EXISTS " + chdb.QuoteIdent(DefaultDatabase)}); err != nil {
		e.Close()
		return nil, fmt.Errorf("create database %s: %w", DefaultDatabase, err)
	}
	s, err := OnEngine(ctx, e, DefaultDatabase, cfg)
	if err != nil {
		e.Close()
		return nil, err
	}
	s.engine, s.solo = e, true
	s.closers = append(s.closers, e.Close)
	return s, nil
}

// OnEngine returns a store on an already open embedded engine and database;
// closing the store leaves the engine open.
func OnEngine(ctx context.Context, e *chdb.Engine, database string, cfg Config) (*Store, error) {
	ln := chdb.NewListener()
	srv := &http.Server{Handler: e.Handler(chdb.HandlerOptions{Logger: cfg.Logger, Private: true}), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // Serve returns when the listener closes
	conn, err := clickhouse.Open(&clickhouse.Options{
		Protocol:            clickhouse.HTTP,
		Addr:                []string{"embedded"},
		DialContext:         ln.DialContext,
		Auth:                clickhouse.Auth{Database: database},
		MaxOpenConns:        8,
		MaxIdleConns:        8,
		ConnMaxLifetime:     time.Hour,
		DialTimeout:         10 * time.Second,
		BlockBufferSize:     4,
		HttpMaxConnsPerHost: 8,
	})
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("connect to the embedded engine: %w", err)
	}
	s := newStore(conn, Schema{Database: database, Cluster: cfg.Cluster}, cfg)
	s.closers = append(s.closers, conn.Close, srv.Close, ln.Close)
	if err := conn.Ping(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("embedded engine: %w", err)
	}
	return s, nil
}

// openServer connects to a ClickHouse server by DSN.
func openServer(ctx context.Context, cfg Config) (*Store, error) {
	opts, err := clickhouse.ParseDSN(cfg.DSN)
	if err != nil {
		return nil, fmt.Errorf("--clickhouse %s: %w", RedactDSN(cfg.DSN), err)
	}
	if opts.Auth.Database == "" {
		opts.Auth.Database = DefaultDatabase
	}
	schema := Schema{Database: opts.Auth.Database, Cluster: cfg.Cluster}
	if err := createDatabase(ctx, *opts, schema); err != nil {
		return nil, fmt.Errorf("ClickHouse at %s: %w", RedactDSN(cfg.DSN), err)
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", RedactDSN(cfg.DSN), err)
	}
	s := newStore(conn, schema, cfg)
	s.closers = append(s.closers, conn.Close)
	if err := conn.Ping(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("ClickHouse at %s does not answer: %w", RedactDSN(cfg.DSN), err)
	}
	return s, nil
}

// createDatabase creates the store's database through a connection that names none.
func createDatabase(ctx context.Context, opts clickhouse.Options, schema Schema) error {
	opts.Auth.Database = ""
	conn, err := clickhouse.Open(&opts)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+chdb.QuoteIdent(schema.Database)+" "+schema.onCluster()); err != nil {
		return fmt.Errorf("create database %s: %w", schema.Database, err)
	}
	return nil
}

// newStore fills in the defaults.
func newStore(conn driver.Conn, schema Schema, cfg Config) *Store {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	batch := cfg.LoadBatchRows
	if batch <= 0 {
		batch = defaultBatchRows
	}
	wait := cfg.ReadWait
	if wait <= 0 {
		wait = defaultReadWait
	}
	return &Store{conn: conn, schema: schema, log: log, now: now, batch: batch, self: newHolder(), readWait: wait}
}

// Close closes the connection and, when the store owns it, the embedded engine.
func (s *Store) Close() error {
	var errs []error
	for _, c := range s.closers {
		errs = append(errs, c())
	}
	s.closers = nil
	return errors.Join(errs...)
}

// Conn returns the clickhouse-go connection.
func (s *Store) Conn() driver.Conn { return s.conn }

// Database returns the database the store uses.
func (s *Store) Database() string { return s.schema.Database }

// Engine returns the embedded engine this store opened, or nil on a server.
func (s *Store) Engine() *chdb.Engine { return s.engine }

// Ping checks that ClickHouse answers.
func (s *Store) Ping(ctx context.Context) error { return s.conn.Ping(ctx) }

// ServerVersion returns the ClickHouse engine's version string.
func (s *Store) ServerVersion(ctx context.Context) (string, error) {
	var v string
	if err := s.conn.QueryRow(ctx, "SELECT version()").Scan(&v); err != nil {
		return "", fmt.Errorf("read server version: %w", err)
	}
	return v, nil
}

// RedactDSN masks the password in a DSN for logs and errors.
func RedactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
