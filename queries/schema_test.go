package queries_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/salesrecipe/salesrecipe/queries"
	"github.com/salesrecipe/salesrecipe/queries/chdb"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestRenderedDDL(t *testing.T) {
	tests := []struct {
		name   string
		schema queries.Schema
		golden string
		want   []string
		absent []string
	}{
		{"single node", queries.Schema{Database: "salesrecipe"}, "ddl_single.sql",
			[]string{"ENGINE = ReplacingMergeTree(loaded_at)", "CREATE TABLE IF NOT EXISTS `activities`"},
			[]string{"ON CLUSTER", "Replicated", "Distributed", "_local"}},
		{"cluster", queries.Schema{Database: "salesrecipe", Cluster: "sales"}, "ddl_cluster.sql",
			[]string{"ON CLUSTER `sales`", "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', loaded_at)",
				"ENGINE = Distributed('sales', 'salesrecipe', 'activities_local', cityHash64(firm, rep_id))",
				"TO `activity_daily_local`", "FROM `activities_local`"},
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stmts, err := queries.Render(tt.schema)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(stmts, ";\n\n") + ";\n"
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("DDL lacks %q", w)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(got, a) {
					t.Errorf("DDL has %q", a)
				}
			}
			golden(t, tt.golden, got)
		})
	}
}

func TestClusterDDLParses(t *testing.T) {
	stmts, err := queries.Render(queries.Schema{Database: "salesrecipe", Cluster: "sales"})
	if err != nil {
		t.Fatal(err)
	}
	e := engine.Get(t)
	for _, st := range stmts {
		class, n, err := e.Classify(context.Background(), st)
		if err != nil || n != 1 || class == chdb.ClassUnknown {
			t.Errorf("ClickHouse's parser rejects (class %d, %d statements, %v):\n%s", class, n, err, st)
		}
	}
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from rendered output (run go test -update and review the diff)", path)
	}
}

// namedQuery finds the names handed to sql, scanAll and deals.
var namedQuery = regexp.MustCompile(`(?:\bsql|scanAll|deals)\((?:ctx, )?"([a-z0-9_]+)"`)

func TestEveryNamedQueryExists(t *testing.T) {
	src, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range src {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(f)
		for _, m := range namedQuery.FindAllStringSubmatch(string(b), -1) {
			name := m[1]
			if _, err := os.Stat(filepath.Join("sql", name+".sql")); err != nil {
				t.Errorf("%s uses sql/%s.sql, which does not exist", f, name)
			}
		}
	}
	for _, k := range queries.Kinds() {
		if k == queries.KindActivities {
			continue // activities commit by swapping partitions (commit.go)
		}
		for _, suffix := range []string{"_commit", "_loaded"} {
			if _, err := os.Stat(filepath.Join("sql", string(k)+suffix+".sql")); err != nil {
				t.Errorf("kind %s has no sql/%s%s.sql", k, k, suffix)
			}
		}
	}
}
