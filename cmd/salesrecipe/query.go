package main

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// runQuery runs one read-only SQL statement and prints its rows.
func runQuery(ctx context.Context, e *env, args []string) error {
	var c storeConfig
	fs := newFlagSet(e, "query", "query [--format table|tsv|json] [store flags] 'SQL'",
		"Runs one read-only SQL statement (SELECT, SHOW, DESCRIBE, EXPLAIN, EXISTS) against the store and\n"+
			"prints the result. Statements that would change anything are refused by ClickHouse (readonly mode).")
	c.register(fs, e.getenv)
	format := fs.String("format", "table", "output format: table, tsv or json")
	if err := parse(e, fs, args); err != nil {
		return helpOK(err)
	}
	if fs.NArg() != 1 {
		return usageErr(e, "query", "give exactly one SQL statement, quoted")
	}
	if err := checkFormat(e, "query", *format, "table", "tsv", "json"); err != nil {
		return err
	}
	log, err := c.logger(e.stderr)
	if err != nil {
		return err
	}
	st, err := c.open(ctx, log, "query")
	if err != nil {
		return err
	}
	defer st.Close()
	ro := clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"readonly": 2}))
	rows, err := st.Conn().Query(ro, fs.Arg(0))
	if err != nil {
		return err
	}
	defer rows.Close()
	names, cells, err := readAll(rows)
	if err != nil {
		return err
	}
	return printRows(e.stdout, *format, names, cells)
}

// readAll scans every row into values of the columns' own Go types.
func readAll(rows driver.Rows) ([]string, [][]any, error) {
	types := rows.ColumnTypes()
	names := rows.Columns()
	var out [][]any
	for rows.Next() {
		ptrs := make([]any, len(types))
		for i, t := range types {
			ptrs[i] = reflect.New(t.ScanType()).Interface()
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, err
		}
		row := make([]any, len(ptrs))
		for i, p := range ptrs {
			row[i] = reflect.ValueOf(p).Elem().Interface()
		}
		out = append(out, row)
	}
	return names, out, rows.Err()
}

// printRows writes rows as an aligned table, TSV or a JSON array of objects.
func printRows(w io.Writer, format string, names []string, rows [][]any) error {
	switch format {
	case "json":
		objs := make([]map[string]any, len(rows))
		for i, r := range rows {
			objs[i] = make(map[string]any, len(names))
			for j, n := range names {
				objs[i][n] = jsonValue(r[j])
			}
		}
		return writeJSON(w, objs)
	case "tsv":
		fmt.Fprintln(w, strings.Join(names, "\t"))
		for _, r := range rows {
			fmt.Fprintln(w, strings.Join(cellStrings(r), "\t"))
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(names, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(cellStrings(r), "\t"))
	}
	fmt.Fprintf(tw, "(%d rows)\n", len(rows))
	return tw.Flush()
}

// cellStrings renders one row's cells as text.
func cellStrings(r []any) []string {
	out := make([]string, len(r))
	for i, v := range r {
		out[i] = cellString(v)
	}
	return out
}

// cellString renders a cell: times in RFC 3339, nil pointers as NULL.
func cellString(v any) string {
	switch x := jsonValue(v).(type) {
	case nil:
		return "NULL"
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}

// jsonValue unwraps pointers and formats times for output.
func jsonValue(v any) any {
	rv := reflect.ValueOf(v)
	for rv.IsValid() && rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return nil
	}
	if t, ok := rv.Interface().(time.Time); ok {
		return t.Format(time.RFC3339Nano)
	}
	return rv.Interface()
}
