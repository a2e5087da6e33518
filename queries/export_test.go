package queries

// SetDealReads makes FirmData read deals in ranges of about per deals, cut at one in sample deal
// ids, so that a small firm exercises reads in several ranges.
func SetDealReads(s *Store, per, sample int) {
	s.dealReads = dealReads{per: per, sample: sample}
}
