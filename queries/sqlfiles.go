package queries

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"
)

//go:embed sql/*.sql
var sqlFiles embed.FS

// sqlTexts holds every sql/NAME.sql by NAME, read once from the embedded files.
var sqlTexts = sync.OnceValue(func() map[string]string {
	names, _ := fs.Glob(sqlFiles, "sql/*.sql") // the pattern is valid, so Glob cannot fail
	texts := make(map[string]string, len(names))
	for _, n := range names {
		b, _ := sqlFiles.ReadFile(n) // Glob listed it, so it is there
		texts[strings.TrimSuffix(path.Base(n), ".sql")] = string(b)
	}
	return texts
})

// sql returns the named query from sql/NAME.sql. Every name is a constant in
// this package, so a missing file is a programming error caught by tests.
func (s *Store) sql(name string) string {
	text, ok := sqlTexts()[name]
	if !ok {
		panic(fmt.Sprintf("queries: no sql/%s.sql", name))
	}
	return text
}
