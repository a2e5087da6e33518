package salesrecipe

import (
	"cmp"
	"slices"
	"time"
)

// CompleteHistory returns the deal versions one load stores, by the store's rules, for a store that holds none of
// these deals yet: each (ID, UpdatedAt) once (the first row), a missing CreatedAt replaced by the deal's first known
// time (the earliest UpdatedAt or ClosedAt of its versions), and, for a deal known by one version updated (and
// closed, if it is) after its creation, an inferred version before it: open from CreatedAt in UnknownStage with no expected close date and
// amount 0, so nothing the deal became later shows before it became known. The result is sorted by deal and time.
// It also returns how many deals lacked a CreatedAt.
func CompleteHistory(load []Deal) (versions []Deal, noCreated int) {
	out := slices.Clone(load)
	slices.SortStableFunc(out, func(a, b Deal) int {
		return cmp.Or(cmp.Compare(a.ID, b.ID), a.UpdatedAt.Compare(b.UpdatedAt))
	})
	out = slices.CompactFunc(out, func(a, b Deal) bool { return a.ID == b.ID && a.UpdatedAt.Equal(b.UpdatedAt) })
	var inferred []Deal
	for lo := 0; lo < len(out); {
		hi := lo + 1
		for hi < len(out) && out[hi].ID == out[lo].ID {
			hi++
		}
		if fillCreated(out[lo:hi]) {
			noCreated++
		}
		if d := out[lo]; hi-lo == 1 && d.CreatedAt.Before(d.UpdatedAt) && (d.ClosedAt.IsZero() || d.CreatedAt.Before(d.ClosedAt)) {
			inferred = append(inferred, InferredVersion(d))
		}
		lo = hi
	}
	out = append(out, inferred...)
	slices.SortStableFunc(out, func(a, b Deal) int {
		return cmp.Or(cmp.Compare(a.ID, b.ID), a.UpdatedAt.Compare(b.UpdatedAt))
	})
	return out, noCreated
}

// InferredVersion is the version inferred for a deal known only by d: open since d's creation, in UnknownStage,
// with d's rep and account and nothing else of d.
func InferredVersion(d Deal) Deal {
	return Deal{ID: d.ID, RepID: d.RepID, AccountID: d.AccountID, Stage: UnknownStage, Status: StatusOpen,
		CreatedAt: d.CreatedAt, UpdatedAt: d.CreatedAt, Inferred: true, Source: d.Source}
}

// fillCreated gives the versions of one deal without a CreatedAt the deal's first known time and reports whether
// any lacked one.
func fillCreated(vs []Deal) bool {
	var first time.Time
	missing := false
	for _, v := range vs {
		for _, t := range []time.Time{v.UpdatedAt, v.ClosedAt} {
			if !t.IsZero() && (first.IsZero() || t.Before(first)) {
				first = t
			}
		}
		missing = missing || v.CreatedAt.IsZero()
	}
	for i := range vs {
		if vs[i].CreatedAt.IsZero() {
			vs[i].CreatedAt = first
		}
	}
	return missing
}
