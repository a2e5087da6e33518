// Command salesrecipe loads a sales team's reps, quotas, activities and
// deals into ClickHouse, fits the firm's activity-to-revenue recipe,
// forecasts each rep's period and serves the dashboards.
//
// Each subcommand lives in its own file; main only wires signals and exit codes.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// version is the program version, set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	if err != nil {
		// A usage error's specific message is already printed.
		var ee exitError
		if !errors.Is(err, errUsage) && (!errors.As(err, &ee) || ee.msg != "") {
			fmt.Fprintln(os.Stderr, "salesrecipe:", err)
		}
		os.Exit(exitCode(err))
	}
}

// exitError carries an exit status and an optional message.
type exitError struct {
	code int
	msg  string
}

// Error returns the message.
func (e exitError) Error() string { return e.msg }

// exitCode maps an error to the process status: 2 for usage errors, the
// carried code for exitError, 1 otherwise.
func exitCode(err error) int {
	var ee exitError
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, errUsage):
		return 2
	}
	return 1
}
