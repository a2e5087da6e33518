package queries

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one numbered schema change.
type Migration struct {
	// Version orders migrations; it is the file name's number.
	Version int
	// Name is the file name without number and extension.
	Name string
	// Text is the DDL template.
	Text string
}

// MigrationState is what the store's log says about one migration.
type MigrationState struct {
	// Migration is the embedded migration.
	Migration
	// Applied is true once the migration finished.
	Applied bool
	// Dirty is true when the migration started and never finished.
	Dirty bool
}

// ErrDirty reports a migration that started and never finished.
var ErrDirty = errors.New("a schema migration was interrupted")

// Migrations returns the embedded migrations in order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read embedded migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		m, err := parseMigration(e.Name())
		if err != nil {
			return nil, err
		}
		b, err := migrationFiles.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		m.Text = string(b)
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// parseMigration reads "0003_name.sql".
func parseMigration(file string) (Migration, error) {
	num, name, ok := strings.Cut(strings.TrimSuffix(file, ".sql"), "_")
	v, err := strconv.Atoi(num)
	if !ok || err != nil || v <= 0 {
		return Migration{}, fmt.Errorf("migration file %s: want NNNN_name.sql", file)
	}
	return Migration{Version: v, Name: name}, nil
}

// Render returns the statements of every migration for a schema, in order;
// it is what Migrate runs, exposed so the DDL of both deployments can be checked.
func Render(schema Schema) ([]string, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range ms {
		stmts, err := schema.render(m.Name, m.Text)
		if err != nil {
			return nil, err
		}
		out = append(out, stmts...)
	}
	return out, nil
}

// Migrate applies every migration not yet applied; it is a no-op when the
// schema is current and stops at a dirty migration.
func (s *Store) Migrate(ctx context.Context) error {
	ms, err := Migrations()
	if err != nil {
		return err
	}
	if err := s.exec(ctx, ms[0]); err != nil {
		return err
	}
	states, err := s.MigrationStates(ctx)
	if err != nil {
		return err
	}
	for _, st := range states {
		if st.Dirty {
			return fmt.Errorf("%w: migration %04d_%s started and did not finish, so the schema may be half-changed.\n"+
				"Check the tables it creates, drop what is incomplete, then run `salesrecipe migrate --force-clean %d` and start again",
				ErrDirty, st.Version, st.Name, st.Version)
		}
	}
	for _, st := range states {
		if st.Applied {
			continue
		}
		if err := s.apply(ctx, st.Migration); err != nil {
			return err
		}
	}
	return nil
}

// apply runs one migration between a dirty mark and a clean mark.
func (s *Store) apply(ctx context.Context, m Migration) error {
	if err := s.mark(ctx, m, 1); err != nil {
		return err
	}
	if err := s.exec(ctx, m); err != nil {
		return err
	}
	if err := s.mark(ctx, m, 0); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "schema migration applied", "version", m.Version, "name", m.Name)
	return nil
}

// exec runs a migration's statements.
func (s *Store) exec(ctx context.Context, m Migration) error {
	stmts, err := s.schema.render(m.Name, m.Text)
	if err != nil {
		return err
	}
	for _, st := range stmts {
		if err := s.conn.Exec(ctx, st); err != nil {
			return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
	}
	return nil
}

// mark records a migration's state in the log.
func (s *Store) mark(ctx context.Context, m Migration, dirty uint8) error {
	err := s.conn.Exec(ctx, s.sql("migration_mark"),
		clickhouse.Named("version", strconv.Itoa(m.Version)),
		clickhouse.Named("name", m.Name),
		clickhouse.Named("dirty", strconv.Itoa(int(dirty))))
	if err != nil {
		return fmt.Errorf("record migration %04d_%s: %w", m.Version, m.Name, err)
	}
	return nil
}

// MarkClean records a dirty migration as finished, after a person has repaired the schema.
func (s *Store) MarkClean(ctx context.Context, version int) error {
	ms, err := Migrations()
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.Version == version {
			return s.mark(ctx, m, 0)
		}
	}
	return fmt.Errorf("no migration %d: salesrecipe migrate --status lists them (1 to %d)", version, len(ms))
}

// MigrationStates returns every embedded migration with its logged state.
func (s *Store) MigrationStates(ctx context.Context) ([]MigrationState, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	logged := map[int]uint8{}
	err = s.scanAll(ctx, "migration_states", func(r driver.Rows) error {
		var v uint32
		var dirty uint8
		err := r.Scan(&v, &dirty)
		logged[int(v)] = dirty
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]MigrationState, len(ms))
	for i, m := range ms {
		d, ok := logged[m.Version]
		out[i] = MigrationState{Migration: m, Applied: ok && d == 0, Dirty: ok && d == 1}
	}
	return out, nil
}
