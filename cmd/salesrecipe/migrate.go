package main

import (
	"context"
	"fmt"
)

// runMigrate applies the schema, shows its state or clears a dirty mark.
func runMigrate(ctx context.Context, e *env, args []string) error {
	var c storeConfig
	fs := newFlagSet(e, "migrate", "migrate [--status] [--force-clean N] [store flags]",
		"Creates or updates the ClickHouse schema. Every command also migrates at start, so this is\n"+
			"for operators who want to do it ahead of time, check it, or recover from an interrupted migration.")
	c.register(fs, e.getenv)
	status := fs.Bool("status", false, "print each migration and whether it is applied, without changing anything")
	force := fs.Int("force-clean", 0, "mark migration N as finished after repairing the schema by hand")
	if err := parse(e, fs, args); err != nil {
		return helpOK(err)
	}
	log, err := c.logger(e.stderr)
	if err != nil {
		return err
	}
	st, err := c.openRaw(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if *force > 0 {
		if err := st.MarkClean(ctx, *force); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "migration %d marked clean\n", *force)
	}
	if !*status {
		if err := st.Migrate(ctx); err != nil {
			return err
		}
	}
	states, err := st.MigrationStates(ctx)
	if err != nil {
		return err
	}
	for _, s := range states {
		state := "pending"
		switch {
		case s.Dirty:
			state = "DIRTY"
		case s.Applied:
			state = "applied"
		}
		fmt.Fprintf(e.stdout, "%04d_%-32s %s\n", s.Version, s.Name, state)
	}
	return nil
}
