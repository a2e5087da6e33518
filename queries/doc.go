// Package queries owns everything that talks to ClickHouse: the connection
// (clickhouse-go v2, to a server or to the embedded engine in queries/chdb),
// the schema as embedded numbered migrations, the named .sql files and the
// typed Go functions that run them with bound parameters. Every read of a
// firm's data sees each load whole or not at all (see gate.go).
//
// It imports the root salesrecipe package for domain types and must not
// import ingest, model, forecast, dashboards or cmd.
package queries
