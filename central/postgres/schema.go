package postgres

// migrations[i] takes the schema from version i to i+1. Append only: a
// database records the versions it has in schema_version, and Open applies
// the missing ones in order.
//
// Plain SQL only (no extensions, no vendor functions), so the schema can move
// to a sharded or replicated PostgreSQL. Keys and lookups are columns;
// records are JSON documents (type json keeps the exact text, which, unlike
// jsonb, also takes a \u0000 inside a string). Text keys use the "C"
// collation so that "by id" order is byte order, whatever the database's
// locale. CPR numbers appear only as HMAC-SHA256 digests keyed with
// meta.index-key, so a dump of the index columns lists no CPR number (the
// documents themselves hold them: they are the records).
var migrations = []string{
	`
CREATE TABLE meta (
	name  text COLLATE "C" PRIMARY KEY,
	value bytea NOT NULL
);
CREATE TABLE kiosks (
	id  text COLLATE "C" PRIMARY KEY,
	doc json NOT NULL
);
CREATE TABLE enroll_tokens (
	hash text COLLATE "C" PRIMARY KEY,
	doc  json NOT NULL
);
CREATE TABLE push_cursors (
	kiosk       text COLLATE "C" NOT NULL,
	incarnation text COLLATE "C" NOT NULL,
	last_seq    bigint NOT NULL,
	PRIMARY KEY (kiosk, incarnation)
);
CREATE TABLE actions (
	kiosk       text COLLATE "C" NOT NULL,
	incarnation text COLLATE "C" NOT NULL,
	seq         bigint NOT NULL,
	action_id   text COLLATE "C" NOT NULL,
	doc         json NOT NULL,
	PRIMARY KEY (kiosk, incarnation, seq)
);
CREATE TABLE action_ids (
	action_id   text COLLATE "C" PRIMARY KEY,
	kiosk       text COLLATE "C" NOT NULL,
	incarnation text COLLATE "C" NOT NULL,
	seq         bigint NOT NULL,
	FOREIGN KEY (kiosk, incarnation, seq) REFERENCES actions (kiosk, incarnation, seq)
);
CREATE TABLE consents (
	id           text COLLATE "C" PRIMARY KEY,
	cpr_hash     bytea NOT NULL,
	authority_id text COLLATE "C" NOT NULL,
	doc          json NOT NULL
);
CREATE INDEX consents_by_cpr ON consents (cpr_hash, id);
CREATE INDEX consents_by_authority ON consents (authority_id, cpr_hash, id);
CREATE TABLE delegations (
	id             text COLLATE "C" PRIMARY KEY,
	principal_hash bytea NOT NULL,
	delegate_hash  bytea NOT NULL,
	doc            json NOT NULL
);
CREATE INDEX delegations_by_principal ON delegations (principal_hash, id);
CREATE INDEX delegations_by_delegate ON delegations (delegate_hash, id);
CREATE TABLE handover_codes (
	delegation_id text COLLATE "C" PRIMARY KEY,
	doc           json NOT NULL
);
CREATE TABLE revocations (
	serial text COLLATE "C" PRIMARY KEY,
	doc    json NOT NULL
);
CREATE TABLE nonces (
	value      bytea PRIMARY KEY,
	expires_at timestamp with time zone NOT NULL,
	doc        json NOT NULL
);
CREATE INDEX nonces_by_expiry ON nonces (expires_at);
`,
	// Typed handover codes, by their ten characters (handover.TypedEntry).
	`
CREATE TABLE typed_codes (
	code text COLLATE "C" PRIMARY KEY,
	doc  json NOT NULL
);
`,
	// The usage log. One row per copy (the principal's, the
	// delegate's); the id is a UUIDv7, so "newest first" is the primary
	// key backwards.
	`
CREATE TABLE usage_log (
	cpr_hash bytea NOT NULL,
	id       text COLLATE "C" NOT NULL,
	at       timestamp with time zone NOT NULL,
	doc      json NOT NULL,
	PRIMARY KEY (cpr_hash, id)
);
CREATE INDEX usage_log_by_time ON usage_log (at);
`,
	// A citizen's contact details (bk.Contact), by the digest of their CPR.
	`
CREATE TABLE contacts (
	cpr_hash bytea PRIMARY KEY,
	doc      json NOT NULL
);
`,
	// An authority's consents by id, for paging its list.
	`
CREATE INDEX consents_by_authority_id ON consents (authority_id, id);
`,
	// Web state (central.WebState): sign-ins in progress and signed-in
	// sessions of the relative's pages, shared by every central process.
	`
CREATE TABLE web_state (
	kind       text COLLATE "C" NOT NULL,
	key        text COLLATE "C" NOT NULL,
	expires_at timestamp with time zone NOT NULL,
	doc        json NOT NULL,
	PRIMARY KEY (kind, key)
);
CREATE INDEX web_state_by_expiry ON web_state (expires_at);
CREATE INDEX web_state_by_kind ON web_state (kind, expires_at);
`,
	// The notice outbox (central.Notice, written in the transaction of the
	// change that caused it) and the timers of ends coming near.
	`
CREATE TABLE notices (
	id      text COLLATE "C" PRIMARY KEY,
	state   text COLLATE "C" NOT NULL,
	next_at timestamp with time zone NOT NULL,
	doc     json NOT NULL
);
CREATE INDEX notices_due ON notices (next_at, id) WHERE state = 'pending';
CREATE INDEX notices_by_state ON notices (state, id);
CREATE TABLE notice_timers (
	id     text COLLATE "C" PRIMARY KEY,
	due_at timestamp with time zone NOT NULL,
	doc    json NOT NULL
);
CREATE INDEX notice_timers_due ON notice_timers (due_at, id);
`,
	// Revocations numbered in the order they were made (central.Revocation
	// Seq and Chain, also in doc); revocation_last holds the last number
	// and digest in its one row, which every revocation locks.
	`
ALTER TABLE revocations ADD COLUMN seq bigint UNIQUE;
CREATE TABLE revocation_last (
	one   boolean PRIMARY KEY DEFAULT true CHECK (one),
	seq   bigint NOT NULL,
	chain bytea NOT NULL
);
INSERT INTO revocation_last (seq, chain) VALUES (0, '');
`,
}
