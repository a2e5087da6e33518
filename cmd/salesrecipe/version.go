package main

import (
	"context"
	"fmt"
)

// runVersion prints the program version and the engine version it talks to.
func runVersion(ctx context.Context, e *env, args []string) error {
	var c storeConfig
	fs := newFlagSet(e, "version", "version [store flags]",
		"Prints the program version and the version of the ClickHouse engine it talks to\n(the embedded engine, or the server named by --clickhouse).")
	c.register(fs, e.getenv)
	if err := parse(e, fs, args); err != nil {
		return helpOK(err)
	}
	fmt.Fprintf(e.stdout, "salesrecipe %s\n", version)
	log, err := c.logger(e.stderr)
	if err != nil {
		return err
	}
	st, err := c.openRaw(ctx, log)
	if err != nil {
		fmt.Fprintf(e.stdout, "clickhouse: unavailable (%v)\n", err)
		return nil
	}
	defer st.Close()
	v, err := st.ServerVersion(ctx)
	if err != nil {
		return err
	}
	where := "embedded chDB"
	if c.dsn != "" {
		where = "server"
	}
	fmt.Fprintf(e.stdout, "clickhouse: %s (%s)\n", v, where)
	return nil
}
