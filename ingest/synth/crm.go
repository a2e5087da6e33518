package synth

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CRM export file names WriteCRM writes.
const (
	CRMOpportunities = "opportunities.csv"
	CRMTeams         = "teams.csv"
)

// WriteCRM rewrites a snapshot firm's reps.csv and deals.csv in dir as a common CRM export: opportunities.csv
// (opportunity_id, sales_agent, account, deal_stage Won/Lost/Engaging/Prospecting, engage_date, close_date,
// close_value, and lead_source when the firm was written with Knobs.Sources) and teams.csv (sales_agent, manager,
// regional_office). Agents are named, not numbered; a prospect
// has no engage date, an open deal no close date or value, a lost one a close value of 0.
func WriteCRM(dir string) error {
	reps, err := readCSVMaps(filepath.Join(dir, "reps.csv"))
	if err != nil {
		return err
	}
	deals, err := readCSVMaps(filepath.Join(dir, "deals.csv"))
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, r := range reps {
		names[r["rep_id"]] = r["name"]
	}
	teams := [][]string{{"sales_agent", "manager", "regional_office"}}
	for _, r := range reps {
		manager := names[r["manager_id"]]
		if manager == "" {
			manager = r["name"]
		}
		teams = append(teams, []string{r["name"], manager, r["team"]})
	}
	header := []string{"opportunity_id", "sales_agent", "account", "deal_stage", "engage_date", "close_date", "close_value"}
	sources := len(deals) > 0 && hasKey(deals[0], "source")
	if sources {
		header = append(header, "lead_source")
	}
	opps := [][]string{header}
	for _, d := range deals {
		row := crmRow(d, names[d["rep_id"]])
		if sources {
			row = append(row, d["source"])
		}
		opps = append(opps, row)
	}
	return errors.Join(writeCSV(filepath.Join(dir, CRMTeams), teams), writeCSV(filepath.Join(dir, CRMOpportunities), opps))
}

// hasKey reports whether a row read by readCSVMaps has a column.
func hasKey(m map[string]string, key string) bool {
	_, ok := m[key]
	return ok
}

// crmRow is one deal as a CRM opportunity row: its stage collapsed to the four CRM stages, dates as days.
func crmRow(d map[string]string, agent string) []string {
	day := func(t string) string { return strings.SplitN(t, "T", 2)[0] }
	stage, engaged, closed, value := "Engaging", day(d["created_at"]), "", ""
	switch d["status"] {
	case "won":
		stage, closed, value = "Won", day(d["closed_at"]), d["amount"]
	case "lost":
		stage, closed, value = "Lost", day(d["closed_at"]), "0"
	default:
		if d["stage"] == "prospecting" {
			stage, engaged = "Prospecting", ""
		}
	}
	return []string{d["deal_id"], agent, d["account_id"], stage, engaged, closed, value}
}

// readCSVMaps reads a CSV file with a header into one map per row.
func readCSVMaps(path string) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("synth: read %s: %w", path, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("synth: read %s: no header", path)
	}
	out := make([]map[string]string, 0, len(rows)-1)
	for _, row := range rows[1:] {
		m := make(map[string]string, len(row))
		for i, v := range row {
			m[rows[0][i]] = v
		}
		out = append(out, m)
	}
	return out, nil
}

func writeCSV(path string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	w := csv.NewWriter(f)
	err = w.WriteAll(rows)
	return errors.Join(err, f.Close())
}
