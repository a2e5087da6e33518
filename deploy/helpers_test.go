package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"gopkg.in/yaml.v3"
)

// root is the repository root.
func root(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test file")
	}
	return filepath.Dir(filepath.Dir(file))
}

// repoPath joins parts onto the repository root.
func repoPath(t testing.TB, parts ...string) string {
	return filepath.Join(append([]string{root(t)}, parts...)...)
}

// requireTool returns the path of a program, skipping the test when it is missing outside CI
// and failing it under CI, where `make test` installs it first.
func requireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed; under CI `make test` installs it (make prometheus)", name)
	}
	t.Skipf("%s is not installed: run `make prometheus` (Debian package prometheus) to run this test", name)
	return ""
}

// readYAML decodes a YAML file of the repository into v.
func readYAML(t testing.TB, v any, parts ...string) {
	t.Helper()
	b, err := os.ReadFile(repoPath(t, parts...))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", filepath.Join(parts...), err)
	}
}
