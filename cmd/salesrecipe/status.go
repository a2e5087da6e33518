package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/salesrecipe/salesrecipe/queries"
)

// runStatus prints, per kind, the stored row count and the time range it covers.
func runStatus(ctx context.Context, e *env, args []string) error {
	var c storeConfig
	fs := newFlagSet(e, "status", "status [--firm F] [--format table|json] [store flags]",
		"Prints, per kind (reps, quotas, stages, activities, deals), the exact number of stored rows\n"+
			"(duplicates not counted) and the first and last timestamp they cover.")
	c.register(fs, e.getenv)
	firm := fs.String("firm", "default", "firm")
	format := fs.String("format", "table", "output format: table or json")
	if err := parse(e, fs, args); err != nil {
		return helpOK(err)
	}
	if err := checkFormat(e, "status", *format, "table", "json"); err != nil {
		return err
	}
	log, err := c.logger(e.stderr)
	if err != nil {
		return err
	}
	st, err := c.open(ctx, log, "status")
	if err != nil {
		return err
	}
	defer st.Close()
	kinds, err := st.Status(ctx, *firm)
	if err != nil {
		return err
	}
	if *format == "json" {
		byKind := make(map[queries.Kind]queries.KindStatus, len(kinds))
		for _, k := range kinds {
			byKind[k.Kind] = k
		}
		return writeJSON(e.stdout, byKind)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "kind\trows\tfirst\tlast")
	for _, k := range kinds {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", k.Kind, k.Rows, fmtTime(k.First), fmtTime(k.Last))
	}
	return tw.Flush()
}

// fmtTime renders an optional time in RFC 3339, or "-".
func fmtTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
