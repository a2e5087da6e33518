package queries

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"

	"github.com/salesrecipe/salesrecipe/queries/chdb"
)

// Schema says how the DDL is rendered: for one node, or for a ClickHouse
// cluster with ON CLUSTER, Replicated engines and Distributed tables.
type Schema struct {
	// Database holds every table.
	Database string
	// Cluster is the cluster name from the server's remote_servers; empty for a single node.
	Cluster string
}

// localSuffix names the per-shard tables behind Distributed ones.
const localSuffix = "_local"

// funcs returns the template functions the migration files use.
func (s Schema) funcs() template.FuncMap {
	return template.FuncMap{
		"onCluster":   s.onCluster,
		"engine":      s.engine,
		"local":       s.local,
		"distributed": s.distributed,
		"db":          func() string { return chdb.QuoteIdent(s.Database) },
	}
}

// onCluster renders the ON CLUSTER clause, or nothing on a single node.
func (s Schema) onCluster() string {
	if s.Cluster == "" {
		return ""
	}
	return "ON CLUSTER " + chdb.QuoteIdent(s.Cluster)
}

// engine renders a MergeTree-family engine, Replicated on a cluster.
func (s Schema) engine(name string, args ...string) string {
	if s.Cluster == "" {
		return name + "(" + strings.Join(args, ", ") + ")"
	}
	repl := append([]string{"'/clickhouse/tables/{shard}/{database}/{table}'", "'{replica}'"}, args...)
	return "Replicated" + name + "(" + strings.Join(repl, ", ") + ")"
}

// local names the table that stores the rows: the table itself on one node,
// the per-shard table on a cluster.
func (s Schema) local(table string) string {
	if s.Cluster == "" {
		return chdb.QuoteIdent(table)
	}
	return chdb.QuoteIdent(table + localSuffix)
}

// distributed renders the Distributed table over a per-shard table, or nothing on one node.
func (s Schema) distributed(table, shardKey string) string {
	if s.Cluster == "" {
		return ""
	}
	return fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s %s AS %s ENGINE = Distributed(%s, %s, %s, %s)",
		chdb.QuoteIdent(table), s.onCluster(), s.local(table), chdb.QuoteString(s.Cluster),
		chdb.QuoteString(s.Database), chdb.QuoteString(table+localSuffix), shardKey)
}

// render executes a migration template and splits it into statements.
func (s Schema) render(name, text string) ([]string, error) {
	tmpl, err := template.New(name).Funcs(s.funcs()).Parse(text)
	if err != nil {
		return nil, fmt.Errorf("parse migration %s: %w", name, err)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, s); err != nil {
		return nil, fmt.Errorf("render migration %s: %w", name, err)
	}
	return splitStatements(buf.String()), nil
}

// splitStatements splits SQL text on semicolons that end a line, dropping
// empty statements and comment-only lines.
func splitStatements(sql string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if st := strings.TrimSpace(cur.String()); st != "" {
			out = append(out, st)
		}
		cur.Reset()
	}
	for _, line := range strings.Split(sql, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") {
			continue
		}
		if body, ok := strings.CutSuffix(trimmed, ";"); ok {
			cur.WriteString(body)
			flush()
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	flush()
	return out
}
