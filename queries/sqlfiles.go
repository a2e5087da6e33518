package queries

import (
	"embed"
	"fmt"
)

//go:embed sql/*.sql
var sqlFiles embed.FS

// sql returns the named query from sql/NAME.sql. Every name is a constant in
// this package, so a missing file is a programming error caught by tests.
func (s *Store) sql(name string) string {
	b, err := sqlFiles.ReadFile("sql/" + name + ".sql")
	if err != nil {
		panic(fmt.Sprintf("queries: no sql/%s.sql: %v", name, err))
	}
	return string(b)
}
