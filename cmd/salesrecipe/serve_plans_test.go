package main

import (
	"errors"
	"strings"
	"testing"
)

func TestServeRefusesBadPlanRules(t *testing.T) {
	tests := []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"--plan-months", "0"}, "--plan-months 0: want 1 to 24"},
		{nil, []string{"--plan-months", "25"}, "--plan-months 25: want 1 to 24"},
		{nil, []string{"--plan-multiple", "-1"}, "--plan-multiple -1: want a multiple of quota above 0 and at most 100"},
		{map[string]string{"SALESRECIPE_PLAN_MULTIPLE": "lots"}, nil, `SALESRECIPE_PLAN_MULTIPLE "lots": want a number such as 3 or 2.5`},
		{map[string]string{"SALESRECIPE_PLAN_MONTHS": "100"}, nil, "--plan-months 100: want 1 to 24"},
	}
	for _, tt := range tests {
		_, stderr, err := runCmd(t, tt.env, append([]string{"serve"}, tt.args...)...)
		if !errors.Is(err, errUsage) || !strings.Contains(stderr, tt.want) {
			t.Errorf("serve %v with %v: err %v, stderr %s\nwant %q", tt.args, tt.env, err, stderr, tt.want)
		}
	}
}
