package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/salesrecipe/salesrecipe/queries"
	"github.com/salesrecipe/salesrecipe/queries/chdb"
)

// storeConfig is the configuration every data command shares, from flags
// with environment fallbacks.
type storeConfig struct {
	dsn       string
	dataDir   string
	chdbLib   string
	cluster   string
	logLevel  string
	logFormat string
}

// register adds the store flags, their defaults read from the environment.
func (c *storeConfig) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&c.dsn, "clickhouse", getenv("SALESRECIPE_CLICKHOUSE"),
		"ClickHouse server DSN, http://user:pass@host:8123/db or clickhouse://user:pass@host:9000/db; empty uses the embedded engine (env SALESRECIPE_CLICKHOUSE)")
	fs.StringVar(&c.dataDir, "data", orDefault(getenv("SALESRECIPE_DATA"), "./salesrecipe-data"),
		"data directory of the embedded engine (env SALESRECIPE_DATA)")
	fs.StringVar(&c.chdbLib, "chdb-lib", orDefault(getenv("SALESRECIPE_CHDB_LIB"), chdb.DefaultLibraryPath(getenv)),
		"path of libchdb.so for the embedded engine, fetched by make chdb (env SALESRECIPE_CHDB_LIB)")
	fs.StringVar(&c.cluster, "cluster", getenv("SALESRECIPE_CLUSTER"),
		"ClickHouse cluster name: schema uses ON CLUSTER, Replicated and Distributed tables (env SALESRECIPE_CLUSTER)")
	fs.StringVar(&c.logLevel, "log-level", orDefault(getenv("SALESRECIPE_LOG_LEVEL"), "info"), "log level: debug, info, warn or error (env SALESRECIPE_LOG_LEVEL)")
	fs.StringVar(&c.logFormat, "log-format", orDefault(getenv("SALESRECIPE_LOG_FORMAT"), "text"), "log format: text or json (env SALESRECIPE_LOG_FORMAT)")
}

// logger builds the process logger on stderr.
func (c *storeConfig) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", c.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(c.logFormat) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", c.logFormat)
}

// logStart records the configuration once, with secrets masked: at info level
// for long-running commands, at debug level for the others.
func (c *storeConfig) logStart(ctx context.Context, log *slog.Logger, cmd string) {
	level := slog.LevelDebug
	if cmd == "serve" || cmd == "demo" {
		level = slog.LevelInfo
	}
	store := "embedded"
	if c.dsn != "" {
		store = queries.RedactDSN(c.dsn)
	}
	log.Log(ctx, level, "salesrecipe starting", "command", cmd, "version", version, "store", store,
		"data", c.dataDir, "chdb_lib", c.chdbLib, "cluster", c.cluster)
}

// open logs the configuration, then opens and migrates the store.
func (c *storeConfig) open(ctx context.Context, log *slog.Logger, cmd string) (*queries.Store, error) {
	c.logStart(ctx, log, cmd)
	st, err := c.openRaw(ctx, log)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if err := st.Recover(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("finish the loads that died: %w", err)
	}
	return st, nil
}

// openRaw opens the store without migrating it.
func (c *storeConfig) openRaw(ctx context.Context, log *slog.Logger) (*queries.Store, error) {
	return queries.Open(ctx, queries.Config{
		DSN: c.dsn, DataDir: c.dataDir, LibraryPath: c.chdbLib, Cluster: c.cluster, Logger: log,
	})
}

// orDefault returns v, or def when v is empty.
func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
