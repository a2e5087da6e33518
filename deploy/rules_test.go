package deploy

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPromtool runs promtool over the rule and config files: syntax and the rule unit tests of
// dashboards/prometheus/*_test.yml.
func TestPromtool(t *testing.T) {
	promtool := requireTool(t, "promtool")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"check rules", []string{"check", "rules", "dashboards/prometheus/rules.yml"}, "SUCCESS: 20 rules found"},
		{"check config", []string{"check", "config", "deploy/prometheus.yml"}, "SUCCESS"},
		{"test rules", []string{"test", "rules", "dashboards/prometheus/rules_test.yml", "dashboards/prometheus/rules_days_test.yml", "dashboards/prometheus/rules_calls_test.yml"}, "SUCCESS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(promtool, tt.args...)
			cmd.Dir = root(t)
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), tt.want) {
				t.Fatalf("promtool %s: %v\n%s", strings.Join(tt.args, " "), err, out)
			}
		})
	}
}
