package deploy

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDockerfile checks that the image builds the Makefile's binary with go.mod's Go version and
// runs it as a non-root user.
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile(repoPath(t, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	gomod, err := os.ReadFile(repoPath(t, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(string(gomod))
	makefile, err := os.ReadFile(repoPath(t, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	stages := regexp.MustCompile(`(?m)^FROM `).Split(df, -1)[1:]
	final := stages[len(stages)-1]
	user := regexp.MustCompile(`(?m)^USER (\S+)`).FindStringSubmatch(final)
	checks := []struct {
		name string
		ok   bool
	}{
		{"two stages: build and runtime", len(stages) == 2},
		{"Go version " + goVersion[1] + " from go.mod", strings.Contains(df, "ARG GO_VERSION="+goVersion[1]+"\n") && strings.HasPrefix(stages[0], "golang:${GO_VERSION}")},
		{"builds with `make build`", regexp.MustCompile(`(?m)^RUN make build VERSION=\$\{VERSION\}`).MatchString(stages[0])},
		{"the Makefile's build target writes bin/salesrecipe", regexp.MustCompile(`(?m)^build:\n\t\$\(GO\) build .*-o \$\(BIN\)/salesrecipe \./cmd/salesrecipe$`).Match(makefile)},
		{"copies bin/salesrecipe from the build stage", strings.Contains(final, "COPY --from=build /src/bin/salesrecipe /usr/local/bin/salesrecipe")},
		{"runs as a numeric non-root user", user != nil && regexp.MustCompile(`^[1-9]\d*(:[1-9]\d*)?$`).MatchString(user[1])},
		{"entrypoint is salesrecipe", strings.Contains(final, `ENTRYPOINT ["salesrecipe"]`)},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("Dockerfile: want %s", c.name)
		}
	}
}
