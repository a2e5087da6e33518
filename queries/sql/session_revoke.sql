-- Records one dashboard session ended by logout.
INSERT INTO session_revocations (id, expires, revoked_at)
VALUES ({id:String}, {expires:DateTime64(3)}, {revoked_at:DateTime64(3)})
