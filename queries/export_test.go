package queries

// SetSolo makes st read as a store that opened the embedded engine and alone
// writes its data does: under the firm's gate only, without the journal check.
func SetSolo(st *Store) { st.solo = true }

// OnSwap makes st call f after each month of a swap is in place.
func OnSwap(st *Store, f func(firm string, month uint32)) { st.swapped = f }

// SetDealReads makes FirmData read deals in ranges of about per deals, cut at one in sample deal
// ids, so that a small firm exercises reads in several ranges.
func SetDealReads(s *Store, per, sample int) {
	s.dealReads = dealReads{per: per, sample: sample}
}
