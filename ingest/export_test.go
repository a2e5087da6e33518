package ingest

import "context"

// AcquireLoadSlot takes one of a firm's load slots as an API load does, for the external tests.
func AcquireLoadSlot(ctx context.Context, l *LoadLimiter, firm string) (release func(), ok bool) {
	return l.acquire(ctx, firm)
}

// CheckGolden compares got with a golden file, or rewrites it under -update, for the external tests.
var CheckGolden = checkGolden
