// Package chdb embeds a real ClickHouse engine (chDB's libchdb.so) in the
// salesrecipe process and serves it through the ClickHouse HTTP interface.
//
// It owns loading the library with purego (no cgo), keeping Go's signal
// handlers intact, one engine session per process and data directory, and an
// http.Handler that speaks the part of the ClickHouse HTTP protocol that
// clickhouse-go uses, so the rest of the program reaches the embedded engine
// and a ClickHouse server through the same client.
//
// It imports no other salesrecipe package.
package chdb
