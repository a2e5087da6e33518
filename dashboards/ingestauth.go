package dashboards

import (
	"fmt"
	"net/http"

	"github.com/salesrecipe/salesrecipe/ingest"
)

// IngestAuthorizer lets users of role ingest or admin load data into their own
// firm through the ingest API; users may be nil when no users file is configured.
func IngestAuthorizer(users *Users) func(r *http.Request, requested string) (string, error) {
	return func(r *http.Request, requested string) (string, error) {
		if users == nil {
			return "", fmt.Errorf("%w: the server has no users file (start it with --users FILE)", ingest.ErrUnauthenticated)
		}
		u, err := users.Bearer(r)
		if err != nil {
			return "", ingest.ErrUnauthenticated
		}
		firm := requested
		if firm == "" {
			firm = u.Firm
		}
		if !u.CanIngest(firm) {
			return "", fmt.Errorf("%w: %s (role %s, firm %s) cannot load into firm %s", ingest.ErrForbidden, u.Name, u.Role, u.Firm, firm)
		}
		return firm, nil
	}
}
